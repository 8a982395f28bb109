"""`frontline assistant train`, `evaluate` and `evaluate-answers`."""

import json

from django.core.management.base import BaseCommand, CommandError

from frontline.accounts.models import Workspace


class Command(BaseCommand):
    help = "The AI assistant: train a workspace's intent model, or evaluate the pipeline on CSVs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train the intent model of a workspace now")
        train.add_argument("--workspace", required=True, help="Workspace slug")
        train.add_argument(
            "--force", action="store_true", help="Activate even if not better than the active one"
        )
        evaluate = sub.add_parser(
            "evaluate", help="Train on one CSV, measure on another (any CSV of that shape)"
        )
        evaluate.add_argument("--train", required=True, help="Training CSV (no out-of-scope rows)")
        evaluate.add_argument("--test", required=True, help="Test CSV")
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--label-column", default="category")
        evaluate.add_argument("--oos-label", default="oos", help="Label of out-of-scope test rows")
        evaluate.add_argument("--encoders", default="", help="Comma-separated; default pipeline")
        evaluate.add_argument("--json", action="store_true", help="Print the figures as JSON")
        answers = sub.add_parser(
            "evaluate-answers",
            help="Measure the virtual agent's answers on Banking77 and a written knowledge base",
        )
        answers.add_argument("--data", default="", help="CSV with text,category (Banking77)")
        answers.add_argument(
            "--limit", type=int, default=None, help="Questions per intent and part"
        )
        answers.add_argument("--seed", type=int, default=None, help="Seed of the split")
        answers.add_argument("--curve", action="store_true", help="Also print the threshold curve")
        answers.add_argument(
            "--no-intents",
            action="store_true",
            help="Similarity alone: no triage model, articles not tied to intents",
        )
        answers.add_argument(
            "--known-topics",
            action="store_true",
            help="The triage model has seen the intents whose article is missing "
            "(tickets exist, the article does not)",
        )
        answers.add_argument(
            "--oracle",
            action="store_true",
            help="Also the best thresholds chosen on the test part itself (a bound)",
        )
        answers.add_argument("--json", action="store_true", help="Print the figures as JSON")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _train(self, *, workspace, force, **_):
        from frontline.assistant import services

        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace with the slug {workspace!r}")
        version = services.train(found, trigger="command", force=force)
        report = version.report
        if version.state == "failed":
            raise CommandError(f"Training failed: {report['error']}")
        self.stdout.write(
            f"Model v{version.number}: {version.get_state_display().lower()}. "
            f"{report['n_examples']} examples, {len(report['counts'])} intents, held-out "
            f"accuracy {report['holdout_accuracy']:.1%}, "
            f"macro-F1 {report['holdout_macro_f1']:.3f}, "
            f"unsure below {report['threshold']:.2f}, {report['training_seconds']:.0f} s."
        )
        for warning in report.get("warnings", []):
            self.stderr.write(f"warning: {warning}")
        if version.state == "rejected":
            self.stdout.write(report["rejected_because"] + "; the active model stays.")

    def _evaluate(self, *, train, test, text_column, label_column, oos_label, encoders, **opts):
        from frontline.assistant.ml.evaluate import evaluate, read_csv
        from frontline.assistant.ml.intent import DEFAULT_ENCODERS, TrainingDataError

        try:
            train_rows = read_csv(train, text_column, label_column)
            test_rows = read_csv(test, text_column, label_column)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        dropped = [r for r in train_rows if r[1] == oos_label]
        if dropped:
            self.stderr.write(f"warning: ignored {len(dropped)} {oos_label!r} rows in --train")
            train_rows = [r for r in train_rows if r[1] != oos_label]
        names = [n.strip() for n in encoders.split(",") if n.strip()] or list(DEFAULT_ENCODERS)
        try:
            figures = evaluate(train_rows, test_rows, oos_label=oos_label, encoder_names=names)
        except TrainingDataError as exc:
            raise CommandError(f"Cannot train on {train}: {exc}") from None
        figures["encoders"] = names
        if opts["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        pct = lambda v: "n/a" if v is None else f"{v:.2%}"  # noqa: E731
        lines = [
            f"training rows {figures['n_train']}, test rows {figures['n_test']} "
            f"({figures['n_oos']} out of scope), encoders {', '.join(names)}",
            f"in-scope accuracy (top intent)        {pct(figures['inscope_acc'])}",
            f"in-scope accuracy (unsure = wrong)    {pct(figures['inscope_acc_at_threshold'])}",
            f"macro-F1 (in-scope)                   {figures['macro_f1']:.4f}"
            if figures["macro_f1"] is not None
            else "macro-F1 (in-scope)                   n/a",
        ]
        if "oos_recall" in figures:
            lines += [
                f"out-of-scope recall                   {pct(figures['oos_recall'])}",
                f"out-of-scope precision                {pct(figures['oos_precision'])}",
                f"overall accuracy                      {pct(figures['overall_acc'])}",
            ]
        lines += [
            f"unsure threshold (chosen in training) {figures['threshold']:.3f}",
            f"training time                         {figures['train_seconds']:.1f} s",
            f"latency per message p50 / p95         {figures['latency_p50_ms']:.1f} / "
            f"{figures['latency_p95_ms']:.1f} ms",
            f"peak memory                           {figures['peak_rss_mb']:.0f} MB",
        ]
        self.stdout.write("\n".join(lines))

    def _evaluate_answers(
        self, *, data, limit, seed, curve, no_intents, known_topics, oracle, **opts
    ):
        from pathlib import Path

        from frontline.assistant.evaluation import answers

        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        path = Path(data) if data else answers.DEFAULT_DATA
        try:
            figures = answers.evaluate(
                path,
                limit=limit,
                seed=seed or answers.SEED,
                by_intent=not no_intents,
                known_topics=known_topics,
                oracle=oracle,
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        pct = lambda v: "n/a" if v is None else f"{v:.1%}"  # noqa: E731
        test, targets = figures["test"], figures["targets"]
        reached = "reached" if figures["thresholds_reached_targets_on_tuning"] else "NOT reached"
        th, own = figures["thresholds"], "the model's own"
        lines = [
            f"{figures['articles']} articles; missing on purpose: "
            f"{', '.join(figures['missing_intents'])}",
            f"thresholds calibrated on the tuning part (targets {reached} there): similarity "
            f"{th['answer_at']}, intent {th.get('intent_at') or own}, article "
            f"support {th.get('support_at')}; the agent's defaults: {figures['agent_thresholds']}",
            f"test part: {test['answerable']} answerable, {test['unanswerable']} unanswerable "
            f"questions (intents {', '.join(figures['test_missing_intents'])})",
        ]
        for name, f in (("test", test), ("tuning", figures["tuning"])):
            lines += [
                f"{name}: precision {pct(f['precision'])} (target {targets['precision']:.0%}; "
                f"answerable only {pct(f['precision_answerable'])}), coverage "
                f"{pct(f['coverage'])} (target {targets['coverage']:.0%}), handed over on "
                f"unanswerable {pct(f['handover_unanswerable'])} (target "
                f"{targets['handover']:.0%}; clarified {pct(f['clarify_unanswerable'])}, "
                f"answered {pct(f['answered_unanswerable'])})",
            ]
        agent = figures["test_at_agent_thresholds"]
        lines += [
            f"test at the agent's defaults: precision {pct(agent['precision'])}, coverage "
            f"{pct(agent['coverage'])}, handed over on unanswerable "
            f"{pct(agent['handover_unanswerable'])}",
            f"answered from the recognised intent's article: "
            f"{pct(figures['answered_by_intent_test'])} of test questions"
            if figures["by_intent"]
            else "similarity alone (no triage model)",
            f"answerable clarified {pct(test['clarify_answerable'])}, handed over "
            f"{pct(test['handover_answerable'])}",
            f"latency of reply() p50 / p95 {test['latency_p50_ms']:.1f} / "
            f"{test['latency_p95_ms']:.1f} ms (target p95 < {targets['p95_ms']:.0f} ms); "
            f"{figures['seconds']:.0f} s in all",
        ]
        if figures["test_oracle"]:
            best, bth = figures["test_oracle"]["test"], figures["test_oracle"]["thresholds"]
            lines.append(
                f"oracle, thresholds chosen on the test part itself (a bound, not the "
                f"agent): similarity {bth['answer_at']}, intent {bth.get('intent_at') or own}, "
                f"support {bth.get('support_at')}: precision {pct(best['precision'])}, coverage "
                f"{pct(best['coverage'])}, handed over on unanswerable "
                f"{pct(best['handover_unanswerable'])}"
            )
        if curve:
            lines.append("threshold  answered  precision  coverage  handover (test part)")
            for row in figures["curve_test"][::5]:
                lines.append(
                    f"{row['threshold']:9.2f}  {row['answered']:8d}  {pct(row['precision']):>9}  "
                    f"{pct(row['coverage']):>8}  {pct(row['handover_unanswerable']):>8}"
                )
        self.stdout.write("\n".join(lines))
