"""`jiandu steward list|show|correct|withdraw|waive|revalidate`: the data stewards' commands.

Output is Chinese and masked; the logic is in jiandu/steward/ (issues.py, corrections.py).
"""
from __future__ import annotations

import getpass
import json

import click


def _conn():
    from jiandu.db import connect_warehouse  # noqa: PLC0415
    return connect_warehouse(application_name="jiandu steward")


def _refused(exc: Exception) -> click.ClickException:
    return click.ClickException(f"未接受：{exc}")


SEVERITY = {"blocking": "阻断", "warning": "警告"}
STATUS = {"open": "未关闭", "waived": "已豁免", "closed": "已关闭"}


@click.group()
def steward() -> None:
    """数据管理员：查看质量问题、登记更正、豁免、重新校验。"""


@steward.command("list")
@click.option("--status", type=click.Choice(["open", "waived", "closed", "all"]), default="open", show_default=True)
@click.option("--dataset", help="ZF10、case、stg_lg__case 或来源代码 LP/LG/EX")
@click.option("--rule", help="规则，如 CHECKSUM 或 CHECKSUM:id_no")
@click.option("--severity", type=click.Choice(["blocking", "warning"]))
@click.option("--source", "source_system", type=click.Choice(["LP", "LG", "EX"], case_sensitive=False))
@click.option("--key", "record_key", help="记录键前缀")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="JSON 输出")
def list_cmd(status, dataset, rule, severity, source_system, record_key, limit, as_json) -> None:
    """列出质量问题（默认未关闭的，阻断在前）。"""
    from jiandu.steward.issues import Filters, list_issues  # noqa: PLC0415
    f = Filters(status=None if status == "all" else status, dataset=dataset, rule=rule, severity=severity,
                source_system=source_system, record_key=record_key, limit=limit)
    with _conn() as conn:
        rows, total = list_issues(conn, f)
    if as_json:
        click.echo(json.dumps({"total": total, "issues": rows}, ensure_ascii=False, default=str, indent=2))
        return
    click.echo(f"共 {total} 个问题" + (f"，显示前 {len(rows)} 个" if total > len(rows) else ""))
    for r in rows:
        click.echo(f"#{r['issue_id']:<6} {SEVERITY.get(r['severity'], r['severity'])} {STATUS.get(r['status'], r['status'])}"
                   f"  {r['dataset']} {r['record_key']}  {r['rule']}")
        click.echo(f"        {r['message']}" + (f"  〔来源 {r['source_ref']}〕" if r["source_ref"] else ""))


@steward.command("show")
@click.argument("issue_id", type=int)
def show_cmd(issue_id: int) -> None:
    """查看一个问题：当前记录（已脱敏）、同一记录的其他问题、更正历史。"""
    from jiandu.steward.issues import get_issue  # noqa: PLC0415
    from jiandu.steward.values import Refused  # noqa: PLC0415
    with _conn() as conn:
        try:
            i = get_issue(conn, issue_id)
        except Refused as exc:
            raise _refused(exc) from None
    click.echo(f"问题 #{i['issue_id']}  {i['dataset']} {i['record_key']}  {i['rule']}"
               f"  {SEVERITY.get(i['severity'])}  {STATUS.get(i['status'])}")
    click.echo(f"说明：{i['message']}")
    click.echo(f"值：{i['value_masked'] if i['value_masked'] is not None else '（空）'}    来源：{i['source_ref'] or '—'}")
    click.echo(f"首次发现 {i['first_seen']:%Y-%m-%d %H:%M}，最近发现 {i['last_seen']:%Y-%m-%d %H:%M}")
    if i["status"] == "waived":
        click.echo(f"豁免：{i['waived_by']}，{i['waive_reason']}")
    if i["record"]:
        click.echo("当前记录（标准层，已脱敏）：")
        for k, v in i["record"].items():
            click.echo(f"  {k} = {v}")
    for o in i["others"]:
        click.echo(f"同一记录的其他问题：#{o['issue_id']} {o['rule']} {SEVERITY.get(o['severity'])} {STATUS.get(o['status'])}")
    for c in i["corrections"]:
        click.echo(f"更正 #{c['correction_id']} {c['field']}：{c['old_value_masked']} → {c['new_value_masked']}"
                   f"（{c['status_text']}；{c['entered_by']} {c['entered_at']:%Y-%m-%d %H:%M}：{c['reason']}）")


@steward.command("correct")
@click.argument("issue_id", type=int, required=False)
@click.option("--dataset", help="不指定问题时：数据集")
@click.option("--key", "record_key", help="不指定问题时：记录键")
@click.option("--field", help="字段（默认为问题所指字段）")
@click.option("--value", help="新值；列表用逗号分隔")
@click.option("--clear", is_flag=True, help="清空该字段（仅限非必填字段）")
@click.option("--reason", required=True, help="更正原因")
@click.option("--by", default=lambda: getpass.getuser(), show_default="当前用户", help="更正人")
def correct_cmd(issue_id, dataset, record_key, field, value, clear, reason, by) -> None:
    """登记更正：下次运行时叠加到该记录的字段上（来源数据不变）。"""
    from jiandu.steward.corrections import enter_correction  # noqa: PLC0415
    from jiandu.steward.values import Refused  # noqa: PLC0415
    if (value is None) == (not clear):
        raise click.UsageError("须给出 --value 或 --clear 之一")
    with _conn() as conn:
        try:
            if issue_id is not None:
                row = conn.execute("select dataset, record_key, field from quality.issue where issue_id = %s",
                                   (issue_id,)).fetchone()
                if row is None:
                    raise Refused(f"没有问题 #{issue_id}")
                dataset, record_key, field = row[0], row[1], field or row[2]
            if not (dataset and record_key and field):
                raise click.UsageError("须给出问题编号，或 --dataset、--key 和 --field")
            done = enter_correction(conn, dataset, record_key, field, None if clear else value, reason, by,
                                    issue_id=issue_id)
        except Refused as exc:
            raise _refused(exc) from None
    click.echo(f"已登记更正 #{done.correction_id}（{dataset} {record_key} {field}）"
               + (f"，取代更正 #{done.superseded}" if done.superseded else "")
               + "。下次运行（或 jiandu steward revalidate）时生效。")


@steward.command("withdraw")
@click.argument("correction_id", type=int)
@click.option("--reason", required=True)
@click.option("--by", default=lambda: getpass.getuser(), show_default="当前用户")
def withdraw_cmd(correction_id, reason, by) -> None:
    """撤回一条更正：下次运行时该字段恢复为来源值。"""
    from jiandu.steward.corrections import withdraw_correction  # noqa: PLC0415
    from jiandu.steward.values import Refused  # noqa: PLC0415
    with _conn() as conn:
        try:
            withdraw_correction(conn, correction_id, by, reason)
        except Refused as exc:
            raise _refused(exc) from None
    click.echo(f"已撤回更正 #{correction_id}。")


@steward.command("waive")
@click.argument("issue_id", type=int)
@click.option("--reason", required=True, help="豁免原因")
@click.option("--by", default=lambda: getpass.getuser(), show_default="当前用户")
def waive_cmd(issue_id, reason, by) -> None:
    """豁免一个问题：记录照常推送，问题保留为“已豁免”。"""
    from jiandu.steward.issues import waive_issue  # noqa: PLC0415
    from jiandu.steward.values import Refused  # noqa: PLC0415
    with _conn() as conn:
        try:
            waive_issue(conn, issue_id, by, reason)
        except Refused as exc:
            raise _refused(exc) from None
    click.echo(f"已豁免问题 #{issue_id}。")


@steward.command("revalidate")
@click.option("--gate-only", is_flag=True, help="只运行质量门（不运行 dbt，不应用新的更正）")
def revalidate_cmd(gate_only: bool) -> None:
    """重新校验：运行 dbt（应用更正）与质量门，并重建 Data Docs。"""
    from jiandu.pipeline.steps import quality_gate, transform  # noqa: PLC0415
    if not gate_only:
        click.echo("运行 dbt……")
        transform()
    out = quality_gate()
    still_open = "，".join(f"{SEVERITY.get(k, k)} {v}" for k, v in sorted(out["open_issues"].items())) or "无"
    click.echo(f"校验完成：{out['suites']} 个套件，{out['failed_suites']} 个未通过；新问题 {out['new_issues']} 个，"
               f"自动关闭 {out['closed_issues']} 个；未关闭：{still_open}")
