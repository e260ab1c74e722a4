"""`jiandu notices …`: run the digests by hand, list what needs an operator, settle a notice."""
from __future__ import annotations

import json

import click


@click.group("notices")
def notices() -> None:
    """预警通知：发送、查看待处理、确认。"""


@notices.command("run")
def run_cmd() -> None:
    """Send today's digests now (what the daily `notices` DAG runs)."""
    from jiandu.notices.service import notices_step  # noqa: PLC0415
    try:
        summary = notices_step()
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


@notices.command("pending")
def pending_cmd() -> None:
    """Digests that need attention: unconfirmed (may have arrived) and failed (will be resent)."""
    from jiandu.db import connect_warehouse  # noqa: PLC0415
    with connect_warehouse() as conn:
        rows = conn.execute(
            "select digest_id, status, subject_code, channel, address, created_at, attempts, last_error"
            "  from ops.notice_digest where status in ('unconfirmed', 'failed', 'sending') order by created_at").fetchall()
    for digest_id, status, subject, channel, address, created, attempts, error in rows:
        label = {"unconfirmed": "待确认", "failed": "发送失败（下次运行重发）", "sending": "发送中"}[status]
        click.echo(f"{digest_id}  {label}  {subject}  {channel}:{address}  {created:%Y-%m-%d %H:%M}  "
                   f"尝试{attempts}次  {error or ''}")
    if not rows:
        click.echo("没有待处理的通知。")


@notices.command("confirm")
@click.argument("digest_id")
@click.option("--delivered/--lost", required=True, help="the recipient did (or did not) receive it")
@click.option("--by", "by", required=True, help="who checked (recorded with the digest)")
def confirm_cmd(digest_id: str, delivered: bool, by: str) -> None:
    """Settle an unconfirmed digest: --delivered closes it, --lost has the next run resend it."""
    from jiandu.db import connect_warehouse  # noqa: PLC0415
    from jiandu.notices.service import confirm_digest  # noqa: PLC0415
    with connect_warehouse() as conn:
        try:
            status = confirm_digest(conn, digest_id, delivered, by)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo({"sent": "已确认送达。", "failed": "已标记为未送达，下次运行将重发。"}[status])
