"""The settings module: documented defaults, and a clear refusal of malformed values."""
import pytest

from jiandu.settings import SettingsError, load_settings


def test_defaults_are_usable(monkeypatch, tmp_path):
    monkeypatch.setenv("JIANDU_ENV_FILE", str(tmp_path / "none.env"))
    for var in ("JIANDU_REGION_CODE", "JIANDU_HUB_URL", "JIANDU_PG_PORT"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings()
    assert s.region_code == "440100"
    assert s.warehouse_url.startswith("postgresql+psycopg://jiandu_pipeline@")
    assert s.hub_url == "http://127.0.0.1:8720"


def test_environment_overrides_env_file(monkeypatch, tmp_path):
    env_file = tmp_path / "jiandu.env"
    env_file.write_text("JIANDU_REGION_CODE=440106\nJIANDU_PG_PORT=6543\n")
    monkeypatch.setenv("JIANDU_ENV_FILE", str(env_file))
    monkeypatch.delenv("JIANDU_PG_PORT", raising=False)
    monkeypatch.setenv("JIANDU_REGION_CODE", "440111")
    s = load_settings()
    assert s.region_code == "440111"       # environment wins
    assert s.pg_port == 6543               # file fills what the environment leaves


@pytest.mark.parametrize("var, value, expected", [
    ("JIANDU_REGION_CODE", "44010", "six-digit"),
    ("JIANDU_PG_PORT", "port", "JIANDU_PG_PORT"),
    ("JIANDU_PG_PORT", "70000", "JIANDU_PG_PORT"),
    ("JIANDU_HUB_URL", "ftp://hub", "http"),
    ("JIANDU_LG_URL", "oracle://x", "mysql+pymysql"),
    ("JIANDU_WAREHOUSE_DB", "Drop Table", "identifier"),
])
def test_malformed_setting_is_refused_with_its_name(monkeypatch, tmp_path, var, value, expected):
    monkeypatch.setenv("JIANDU_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    text = str(err.value)
    assert var in text and expected in text
    assert repr(value) in text


def test_password_is_quoted_in_urls(monkeypatch, tmp_path):
    monkeypatch.setenv("JIANDU_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("JIANDU_PIPELINE_PASSWORD", "p@ss:w/rd")
    s = load_settings()
    assert "p%40ss%3Aw%2Frd@" in s.warehouse_url
