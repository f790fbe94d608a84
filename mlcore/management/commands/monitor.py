"""``python manage.py monitor [--as-of YYYY-MM-DD] [--no-retrain]``: run monitoring and print the report."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mlcore.monitoring import gate
from mlcore.monitoring import services as monitoring_services
from mlcore.monitoring import tasks as monitoring_tasks
from mlcore.monitoring.models import MonitoringReport
from mlcore.serving import predict
from swingtrade.errors import DomainError


def _num(value, fmt: str = "+.4f") -> str:
    return "—" if value is None else format(value, fmt)


class Command(BaseCommand):
    help = "Judge the champion and live challengers on recent data, store and print the reports."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today; data up to that day)")
        parser.add_argument(
            "--no-retrain", action="store_true", help="Do not queue a retraining on CRITICAL."
        )

    def handle(self, *args, **options) -> None:
        try:
            as_of = predict.parse_as_of(options["as_of"])
            reports = monitoring_services.monitoring_run(as_of=as_of, allow_retrain=not options["no_retrain"])
        except DomainError as exc:
            raise CommandError(exc.message)
        for report in reports:
            self._print(report)
        state = gate.gate_state()
        self.stdout.write(f"\nGate: {'open' if state.is_open else 'CLOSED'} — {state.reason}")
        for report in reports:
            if report.retrain_requested:
                self.stdout.write("Queueing a retraining (the challenger is promoted only if it is better)…")
                result = monitoring_tasks.retrain.delay(
                    as_of=as_of.isoformat() if as_of else None, reason=f"monitoring report {report.pk}"
                )
                if result.ready():
                    outcome = result.get()
                    if "model_version" in outcome:
                        self.stdout.write(
                            f"  model version {outcome['model_version']}: {outcome['decision']}"
                        )
                    else:
                        self.stdout.write(f"  {outcome['status']}: {outcome['reason']}")

    def _print(self, report: MonitoringReport) -> None:
        write = self.stdout.write
        model = str(report.model_version) if report.model_version_id else "no model"
        write(f"\n== {report.role} {model} — as of {report.as_of}, data {report.data_date}: {report.state}")
        write(f"   report {report.get_absolute_url()}")
        metrics = report.metrics or {}
        validation = metrics.get("validation") or {}
        realised = metrics.get("realised") or {}
        if validation or realised:
            write(f"   {'':12}{'rank IC':>10}{'SE':>9}{'t vs val':>10}{'hit rate':>10}{'dates':>7}")
            rows = [
                (
                    "validation",
                    validation.get("rank_ic"),
                    validation.get("rank_ic_se"),
                    None,
                    validation.get("hit_rate"),
                    "",
                )
            ]
            for key in ("short", "long"):
                w = realised.get(key)
                if w:
                    rows.append(
                        (
                            f"{w['window']}-day",
                            w["rank_ic"],
                            w["rank_ic_se"],
                            w["rank_ic_t_vs_validation"],
                            w["hit_rate"],
                            w["n_dates"],
                        )
                    )
            for name, ic, se, t, hit, n in rows:
                cells = f"{_num(ic):>10}{_num(se, '.4f'):>9}{_num(t, '+.2f'):>10}{_num(hit, '.3f'):>10}"
                write(f"   {name:12}{cells}{n:>7}")
        drift = metrics.get("drift") or {}
        if drift.get("psi"):
            top = sorted(((v, k) for k, v in drift["psi"].items() if v is not None), reverse=True)[:5]
            share = _num(drift.get("share_drifting"), ".0%")
            highest = ", ".join(f"{k} {v:.2f}" for v, k in top)
            write(f"   drift: {share} of features above the PSI threshold; highest {highest}")
        fresh = metrics.get("freshness") or {}
        if fresh:
            write(
                f"   freshness: latest bar {fresh.get('latest_bar')}, "
                f"expected {fresh.get('expected_session')}, {fresh.get('sessions_behind')} session(s) behind"
            )
        coverage = metrics.get("coverage") or {}
        if coverage:
            write(f"   coverage: {coverage.get('predicted')} of {coverage.get('expected')} tickers")
        for reason in report.reasons:
            write(f"   [{reason['level']}] {reason['message']}")
