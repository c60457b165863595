"""The `fenxiao` command: demo, serve, worker, createstaff, run-due, reconcile, plan, report,
check, manage."""

import argparse
import os
import signal
import subprocess
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenxiao.settings")


def _setup():
    import django
    from django.conf import settings

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_serve(opts) -> int:
    _setup()
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", "-v", "0")
    _manage("collectstatic", "--no-input", "-v", "0")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "fenxiao.wsgi:application",
        "--bind",
        f"{opts.host}:{opts.port}",
        "--workers",
        str(opts.workers),
        "--threads",
        str(opts.threads),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]
    os.execv(sys.executable, argv)
    return 0


def _worker_argv() -> list[str]:
    from django.conf import settings

    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "fenxiao",
        "worker",
        "--beat",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--schedule",
        str(settings.DATA_DIR / "celerybeat-schedule"),
    ]


def cmd_worker(opts) -> int:
    _setup()
    from django.conf import settings

    for folder in ("broker", "broker-done"):
        (settings.DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
    os.execv(sys.executable, _worker_argv())
    return 0


def cmd_demo(opts) -> int:
    _setup()
    from django.conf import settings

    from fenxiao.demo import load_demo

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--no-input", "-v", "0")
    logins = load_demo(reset=opts.reset)
    base = f"http://{opts.host}:{opts.port}"
    print("\n=== fenxiao 演示商城已就绪 ===")
    print(f"首页:       {base}/")
    print(f"商家后台:   {base}/admin/")
    print(f"数据概况:   {base}/admin/reports/dashboard/")
    print(f"API 文档:   {base}/api/v1/docs")
    for role, phone, password in logins:
        print(f"{role}: 手机号 {phone}  密码 {password}")
    print(
        "后台任务: celery worker + beat (查询未到通知的支付、取消超时订单、自动确认收货、"
        "每日账单对账、佣金结算、等级升级)\n",
        flush=True,
    )
    for folder in ("broker", "broker-done"):
        (settings.DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
    worker = subprocess.Popen(_worker_argv())
    try:
        opts.workers, opts.threads = 1, 8
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fenxiao.cli",
                "serve",
                "--host",
                opts.host,
                "--port",
                str(opts.port),
                "--workers",
                "1",
            ]
        )
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (worker, locals().get("server")):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=20)


def cmd_createstaff(opts) -> int:
    _setup()
    from fenxiao.accounts.services import staff_create
    from fenxiao.errors import DomainError

    _manage("migrate", "--no-input", "-v", "0")
    try:
        user = staff_create(phone=opts.phone, password=opts.password, role=opts.role)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    print(f"员工已就绪: {user.phone} ({opts.role})")
    return 0


def cmd_run_due(opts) -> int:
    _setup()
    from fenxiao.celery import PERIODIC_JOBS, app, as_of

    try:
        as_of(opts.at)
    except ValueError:
        print(
            f"--at must be an ISO time, e.g. 2026-12-01T10:00:00+08:00: {opts.at!r}",
            file=sys.stderr,
        )
        return 2
    app.loader.import_default_modules()  # registers every app's tasks
    for name, (task_name, _) in PERIODIC_JOBS.items():
        result = app.tasks[task_name].run(at=opts.at)
        print(f"{name}: {result}")
    return 0


def cmd_reconcile(opts) -> int:
    _setup()
    if opts.bills:
        return _reconcile_bills(opts)
    from fenxiao.catalog.selectors import stock_differences
    from fenxiao.distribution.selectors import commission_differences
    from fenxiao.ledger.selectors import ledger_differences
    from fenxiao.marketing.points import points_differences
    from fenxiao.payments.selectors import reconciliation_differences
    from fenxiao.payouts.selectors import payout_differences

    problems = (
        reconciliation_differences()
        + stock_differences()
        + ledger_differences()
        + commission_differences()
        + payout_differences()
        + points_differences()
    )
    for problem in problems:
        print(problem)
    print(f"reconcile: {len(problems)} difference(s)")
    return 1 if problems else 0


def _reconcile_bills(opts) -> int:
    """The provider's bills of a day against our records; exit 1 on any difference."""
    from datetime import date

    from django.conf import settings

    from fenxiao.errors import DomainError
    from fenxiao.payments.reconcile import bills_reconcile

    try:
        bill_date = date.fromisoformat(opts.bills)
    except ValueError:
        print(f"日期格式应为 YYYY-MM-DD: {opts.bills!r}", file=sys.stderr)
        return 2
    differences = 0
    for provider in [opts.provider] if opts.provider else settings.PAYMENT_PROVIDERS:
        try:
            run = bills_reconcile(bill_date=bill_date, provider_name=provider)
        except DomainError as exc:
            print(f"{provider}: {exc.message}", file=sys.stderr)
            return 2
        if run.status == run.Status.FAILED:
            print(f"{provider} {bill_date}: 账单获取失败: {run.error}")
            differences += 1
            continue
        for d in run.differences.all():
            print(
                f"{provider} {bill_date} {d.get_kind_display()} {d.get_subject_display()} "
                f"{d.reference} 系统 {d.our_amount if d.our_amount is not None else '-'} "
                f"账单 {d.their_amount if d.their_amount is not None else '-'}"
            )
        print(
            f"{provider} {bill_date}: 交易账单 {run.trade_lines} 笔, 资金账单 "
            f"{run.fundflow_lines} 笔, {run.difference_count} 处差异"
        )
        differences += run.difference_count
    return 1 if differences else 0


def cmd_plan(opts) -> int:
    _setup()
    import json

    from fenxiao.distribution.services.plan import (
        plan_as_dict,
        plan_get,
        plan_update,
        plan_warnings,
    )
    from fenxiao.errors import DomainError

    if opts.file:
        try:
            with open(opts.file, encoding="utf-8") as f:
                data = json.load(f)
            plan_update(data=data, source="import")
        except (OSError, ValueError) as exc:
            print(f"无法读取方案文件: {exc}", file=sys.stderr)
            return 2
        except DomainError as exc:
            print(f"{exc.code}: {exc.message}", file=sys.stderr)
            return 2
    plan = plan_get()
    print(json.dumps(plan_as_dict(plan), ensure_ascii=False, indent=2))
    for warning in plan_warnings(plan):
        print(f"警告: {warning}", file=sys.stderr)
    return 0


def cmd_report(opts) -> int:
    """`fenxiao report tax --month 2026-11` or `fenxiao report orders --from 2026-11-01 --to
    2026-11-30`: CSV to stdout by default, XLSX to --output."""
    if opts.kind != "tax":
        return _export(opts)
    if not opts.month:
        print("个税月报须用 --month 指定月份，如 --month 2026-11", file=sys.stderr)
        return 2
    _setup()
    from fenxiao.errors import DomainError
    from fenxiao.payouts import report

    try:
        found = report.tax_report(month=report.parse_month(opts.month))
    except DomainError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return 2
    if opts.format == "xlsx" and not opts.output:
        print("XLSX 须用 --output 指定输出文件", file=sys.stderr)
        return 2
    content = report.report_xlsx(found) if opts.format == "xlsx" else report.report_csv(found)
    if opts.output:
        try:
            with open(opts.output, "wb") as f:
                f.write(content)
        except OSError as exc:
            print(f"无法写入 {opts.output}: {exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(content.decode("utf-8"))
        sys.stdout.flush()
    for row in found.missing_identity:
        print(f"警告: 用户 {row.user_id}（{row.phone}）未登记实名信息", file=sys.stderr)
    print(
        f"{found.month}: {len(found.rows)} 位分销商，{found.totals.count} 笔，"
        f"提现 ¥{found.totals.gross}，代扣个税 ¥{found.totals.tax}",
        file=sys.stderr,
    )
    return 0


def _export(opts) -> int:
    """Orders, commissions, withdrawals or distributors whose date falls in --from..--to."""
    from datetime import date

    if opts.format == "xlsx" and not opts.output:
        print("XLSX 须用 --output 指定输出文件", file=sys.stderr)
        return 2
    try:
        start = date.fromisoformat(opts.start) if opts.start else None
        end = date.fromisoformat(opts.end) if opts.end else None
    except ValueError:
        print("日期格式须为 YYYY-MM-DD，如 --from 2026-11-01", file=sys.stderr)
        return 2
    if start and end and start > end:
        print("--from 不能晚于 --to", file=sys.stderr)
        return 2
    _setup()
    from fenxiao import exports
    from fenxiao.distribution.exports import COMMISSIONS, DISTRIBUTORS
    from fenxiao.orders.exports import ORDERS
    from fenxiao.payouts.exports import WITHDRAWALS

    export = {e.name: e for e in (ORDERS, COMMISSIONS, WITHDRAWALS, DISTRIBUTORS)}[opts.kind]
    rows = exports.between(export, start, end)
    try:
        out = open(opts.output, "wb") if opts.output else sys.stdout.buffer
    except OSError as exc:
        print(f"无法写入 {opts.output}: {exc}", file=sys.stderr)
        return 2
    try:
        write = exports.write_xlsx if opts.format == "xlsx" else exports.write_csv
        count = write(export, rows, out)
    finally:
        if opts.output:
            out.close()
        else:
            out.flush()
    print(f"{export.title}: {count} 行", file=sys.stderr)
    return 0


def cmd_check(opts) -> int:
    _setup()
    from fenxiao.config_check import production_problems

    problems = production_problems()
    for problem in problems:
        print(f"- {problem}")
    print("ready for production" if not problems else f"{len(problems)} thing(s) to set")
    return 1 if problems else 0


def cmd_manage(opts) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fenxiao manage", *opts.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fenxiao", description="fenxiao 分销商城")
    sub = parser.add_subparsers(dest="command", required=True)

    def server_args(p):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
        p.add_argument("--threads", type=int, default=8)

    p = sub.add_parser("serve", help="migrate, then serve with gunicorn")
    server_args(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("demo", help="load the demo shop and serve it with background jobs")
    server_args(p)
    p.add_argument("--reset", action="store_true", help="delete the demo database first")
    p.set_defaults(func=cmd_demo)
    sub.add_parser("worker", help="celery worker with beat").set_defaults(func=cmd_worker)
    p = sub.add_parser("createstaff", help="create or update a staff member")
    p.add_argument("--phone", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--role", default="owner", choices=["owner", "operator", "finance", "service"])
    p.set_defaults(func=cmd_createstaff)
    p = sub.add_parser("run-due", help="run every periodic job as of a moment")
    p.add_argument("--at", default=None, help="ISO time, e.g. 2026-12-01T10:00:00+08:00")
    p.set_defaults(func=cmd_run_due)
    p = sub.add_parser("reconcile", help="check money and stock; exit 1 on any difference")
    p.add_argument("--bills", metavar="DATE", help="reconcile the payment bills of YYYY-MM-DD")
    p.add_argument("--provider", help="with --bills: only this payment provider")
    p.set_defaults(func=cmd_reconcile)
    p = sub.add_parser("plan", help="show the distribution plan, or import one from JSON")
    p.add_argument("--import", dest="file", help="a JSON file in the API's plan shape")
    p.set_defaults(func=cmd_plan)
    p = sub.add_parser(
        "report",
        help="reports: tax (the monthly tax withholding report), or an export of orders, "
        "commissions, withdrawals or distributors",
    )
    p.add_argument("kind", choices=["tax", "orders", "commissions", "withdrawals", "distributors"])
    p.add_argument("--month", help="tax: YYYY-MM, in the shop's time zone")
    p.add_argument("--from", dest="start", help="exports: first day, YYYY-MM-DD (shop time)")
    p.add_argument("--to", dest="end", help="exports: last day, YYYY-MM-DD, included")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--output", help="file to write (required for xlsx; csv goes to stdout)")
    p.set_defaults(func=cmd_report)
    sub.add_parser("check", help="what is missing for production").set_defaults(func=cmd_check)
    p = sub.add_parser("manage", help="Django management commands")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    return opts.func(opts) or 0


if __name__ == "__main__":
    sys.exit(main())
