"""Evaluate the forecasting engine on a demand file: every method and the selector on a held-out window."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.planning.engine.demandfile import DemandFileError, read_demand_file
from apps.planning.engine.report import TARGETS, evaluate_file


class Command(BaseCommand):
    help = _(
        "Backtest the forecasting methods and the method selector on a demand file (xlsx or csv: one row per "
        "item, an id column, optional lead time and unit cost, then one column per period)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--period", choices=["week", "month"], default="week", help=_("bucket of the period columns")
        )
        parser.add_argument("--horizon", type=int, default=4, help=_("forecast horizon in periods for the accuracy"))
        parser.add_argument("--holdout", type=int, default=None, help=_("periods held out (default a year)"))
        parser.add_argument(
            "--lead",
            type=int,
            default=None,
            help=_("lead time in periods where the file has none (default the horizon)"),
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        if options["horizon"] < 1:
            raise CommandError(_("The horizon must be at least one period."))
        try:
            data = read_demand_file(options["file"])
        except DemandFileError as exc:
            raise CommandError(str(exc)) from exc
        lead = data.lead
        if lead is None and options["lead"] is not None:
            lead = [options["lead"]] * len(data.ids)
        try:
            report = evaluate_file(
                data.y,
                period=options["period"],
                horizon=options["horizon"],
                lead=lead,
                cost=data.cost,
                holdout=options["holdout"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report["file"] = str(options["file"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        self._text(report)

    def _text(self, report):
        w = self.stdout.write
        w(
            _("%(items)s items × %(periods)s periods (%(period)s); held out the last %(holdout)s, horizon %(horizon)s.")
            % report
        )
        skipped = report["skipped"]
        w(
            _(
                "Evaluated %(evaluated)s items; skipped %(short)s with too little history, %(none)s without demand "
                "before the holdout, %(quiet)s without demand in it."
            )
            % {
                "evaluated": report["evaluated"],
                "short": skipped["too_little_history"],
                "none": skipped["no_demand_before_holdout"],
                "quiet": skipped["no_demand_in_holdout"],
            }
        )
        w(_("Classes: %s") % ", ".join(f"{k} {v}" for k, v in report["classes"].items()))
        value = any(s["average_stock_value"] is not None for s in report["selector"]["service"].values())
        head = f"{'method':<16}{'MASE':>7}{'RMSSE':>7}{'WAPE':>7}{'bias':>8}"
        for t in TARGETS:
            head += f"{'fill@' + format(t, '.0%'):>10}{'stock value' if value else 'stock':>12}"
        w(head)
        rows = [*report["methods"].items(), (_("selector"), report["selector"])]
        for name, r in rows:
            line = f"{name:<16}{_fmt(r['mase'], 7, 2)}{_fmt(r['rmsse'], 7, 2)}{_fmt(r['wape'], 7, 2)}"
            line += _fmt(r["bias"], 8, 3, sign=True)
            for t in TARGETS:
                s = r["service"][f"{t:.2f}"]
                stock = s["average_stock_value"] if value else s["average_stock_units"]
                line += f"{_fmt(s['fill_rate'], 10, 3)}{_fmt(stock, 12, 0)}"
            w(line)
        w(_("Selector's methods: %s") % ", ".join(f"{k} {v}" for k, v in report["selector"]["chosen"].items()))
        for klass, fills in report["selector"]["by_class"].items():
            w(
                _("Fill rate of %(klass)s items: %(fills)s")
                % {"klass": klass, "fills": ", ".join(f"{t} → {_fmt(f, 0, 3).strip()}" for t, f in fills.items())}
            )
        w(_("Time taken: %s s") % report["seconds"])


def _fmt(value, width, digits, sign=False):
    if value is None:
        return f"{'—':>{width}}"
    return f"{value:>{'+' if sign else ''}{width},.{digits}f}"
