"""Mutation check: put deliberate bugs in the code one at a time and see whether the tests named for them fail.

    .venv/bin/python benchmarks/mutate.py                 # every mutation (tens of minutes)
    .venv/bin/python benchmarks/mutate.py --list          # the mutations and their test files
    .venv/bin/python benchmarks/mutate.py --only v2-endindex-exclusive --only import-drops-patterns
    .venv/bin/python benchmarks/mutate.py --baseline      # first check that the named tests pass unmutated
    make mutate

Each mutation is a small textual patch: a file, an exact snippet of it and what replaces the snippet. The working
tree (tracked files and untracked ones git does not ignore) is copied to a temporary directory; each mutation is
applied there, the test files named for it run with pytest (`-x -q`, a timeout), and the file is restored. The copy
is removed at the end, Ctrl-C included: the checkout itself is never edited. A snippet not found exactly once stops
the run before anything runs, so the list stays honest when the code moves: update it.

Results: `caught` (a test failed), `MISSED` (all passed: the tests cannot see this bug), `no tests` (none of the
named files exists yet), `error` (pytest could not run them: a collection error...), `timeout`. A test file
named but absent is marked so and the others run. `caught` means something only where the tests pass unmutated:
`--baseline` checks that first. Never run by CI or `make test`: it takes as long as the named test files, once per
mutation.
"""
import argparse
import os
import signal
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTATIONS = [
    Mutation("querylogs-without-key", "query logs and the review list are served without any key",
             "luislite/api/luis/authoring/querylogs.py",
             'bp = authoring_blueprint("querylogs")',
             'bp = __import__("flask").Blueprint("querylogs", __name__)',
             ("tests/test_access_policy.py",)),
    Mutation("endpoint-key-authors", "an endpoint (prediction) key is accepted for authoring",
             "luislite/api/auth.py",
             'keys.KINDS if prediction else ("authoring",)',
             "keys.KINDS",
             ("tests/test_access_policy.py", "tests/test_errors.py")),
    Mutation("staging-publish-overwrites-production", "publishing to staging also points production at the version",
             "luislite/services/publishing.py",
             "    db.session.add(publication)\n    return publication\n",
             "    db.session.add(publication)\n"
             "    if is_staging:\n"
             "        production = db.session.get(Publication, (version.app_id, 'production'))\n"
             "        if production:\n"
             "            production.version_id, production.artifact = version_id, version.artifact\n"
             "    return publication\n",
             ("tests/test_prediction.py",)),
    Mutation("prebuilt-fallback-off-by-one", "a prebuilt found again in the text (offsets did not match) starts one "
             "character late",
             "luislite/nlu/rules/prebuilt.py",
             "    return start, start + len(wanted)",
             "    return start + 1, start + 1 + len(wanted)",
             ("tests/test_prediction.py", "tests/nlu/test_rules.py")),
    Mutation("istanbul-lower", "recognizers-text sees the raw text again: its offsets are in its lowered copy, "
             "longer than the text after 'İ'",
             "luislite/nlu/rules/prebuilt.py",
             "spans, query = [], _recognizable(text)",
             "spans, query = [], text",
             ("tests/test_prediction.py", "tests/nlu/test_rules.py")),
    Mutation("model-spans-shifted", "every span the model finds starts and ends one character late",
             "luislite/nlu/tags.py",
             "span = EntitySpan(slot.path[-1], words[a].start, words[b].end, score, slot.role, kind=slot.kind)",
             "span = EntitySpan(slot.path[-1], words[a].start + 1, words[b].end + 1, score, slot.role, "
             "kind=slot.kind)",
             ("tests/test_prediction.py",)),
    Mutation("v2-endindex-exclusive", "v2 answers an exclusive endIndex (LUIS's is inclusive)",
             "luislite/api/luis/prediction/render.py",
             '"endIndex": span.end - 1}',
             '"endIndex": span.end}',
             ("tests/test_prediction.py",)),
    Mutation("v3-show-all-intents-ignored", "v3 answers only the top intent even with show-all-intents=true",
             "luislite/api/luis/prediction/render.py",
             "intents = prediction.intents if show_all_intents else dict([next(iter(prediction.intents.items()))])",
             "intents = dict([next(iter(prediction.intents.items()))])",
             ("tests/test_prediction.py",)),
    Mutation("pattern-intent-not-on-top", "a matching pattern's intent is not put on top",
             "luislite/nlu/recognizer.py",
             "    if pattern is None:\n        return intents\n    score = max(",
             "    if True:\n        return intents\n    score = max(",
             ("tests/nlu/test_rules.py",)),
    Mutation("list-case-sensitive", "list entities match only in the case the synonyms were written in",
             "luislite/nlu/rules/lists.py",
             'return unicodedata.normalize("NFC", word).casefold()',
             'return unicodedata.normalize("NFC", word)',
             ("tests/nlu/test_rules.py",)),
    Mutation("import-drops-patterns", "importing LUIS JSON silently drops its patterns",
             "luislite/domain/appversion.py",
             'patterns=[Pattern.from_json(p) for p in doc.get("patterns") or []],',
             "patterns=[],",
             ("tests/test_import_export.py",)),
    Mutation("missing-app-400", "an unknown app id answers 400 instead of 404",
             "luislite/services/authoring.py",
             "    if app is None:\n        raise NotFound(_APP_NOT_FOUND)",
             "    if app is None:\n        raise AppVersionError(_APP_NOT_FOUND)",
             ("tests/test_errors.py",)),
    Mutation("train-never-success", "a finished training stays InProgress (the model still serves)",
             "luislite/training/jobs.py",
             'status="Fail" if failure else "Success", finished=utcnow(),',
             'status="Fail" if failure else "InProgress", finished=utcnow(),',
             ("tests/test_training_jobs.py",)),
    Mutation("composite-children-dropped", "a composite the model finds answers without its children",
             "luislite/nlu/recognizer.py",
             "built.append(replace(composite, children=sorted(children, key=_order)))",
             "built.append(replace(composite, children=[]))",
             ("tests/nlu/test_rules.py",)),
    Mutation("e5-query-transposed", "the converter writes each layer's query weights transposed",
             "luislite/nlu/e5.py", "return {new: self.tensors[old] for old, new in names.items()}",
             "return {new: self.tensors[old].T.copy() if old.endswith('.q.w') else self.tensors[old]"
             " for old, new in names.items()}", ("tests/nlu/test_e5.py",)),
    Mutation("e5-nibbles-swapped", "a Q4_0 block's low and high nibbles are read the other way round",
             "luislite/nlu/e5.py", "np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1)",
             "np.concatenate([nibbles >> 4, nibbles & 0x0F], axis=1)", ("tests/nlu/test_e5.py",)),
    Mutation("e5-pieces-misscored", "each unigram piece gets its neighbour's score",
             "luislite/nlu/e5.py", "scores.astype(float).tolist()", "np.roll(scores, 1).astype(float).tolist()",
             ("tests/nlu/test_e5.py",)),
    Mutation("quota-refusals-written", "a key's spent window is not remembered: every refused request writes again",
             "luislite/services/quotas.py", "        _spent[memo] = window\n", "", ("tests/test_quotas.py",)),
    Mutation("azure-account-assign-200", "assigning an Azure account answers 200, not LUIS's 201: the SDK raises",
             "luislite/api/luis/authoring/azureaccounts.py", "    return created(OPERATION_SUCCESS)",
             "    return operation_success()", ("tests/test_authoring_core.py",)),
    Mutation("package-checksums-unchecked", "a package's files are served without comparing their sha256",
             "luislite/services/packages.py", "hashlib.sha256(data).hexdigest() != manifest", "False and manifest",
             ("tests/test_packages.py",)),
    Mutation("package-links-extracted", "a package's symbolic links and nested paths are accepted",
             "luislite/services/packages.py", "    if not member.isfile() or path.parts", "    if path.parts",
             ("tests/test_packages.py",)),
    Mutation("adapters-ignored", "the shared encoder is fed zeros for an app's adapters: every app predicts with the "
             "bare pretrained encoder and its own heads", "luislite/nlu/recognizer.py",
             "{name: weights[name] if name in weights else", "{name: 0 * weights[name] if name in weights else",
             ("tests/nlu/test_fit.py", "tests/nlu/test_features.py")),
    Mutation("adapter-scale-unfolded", "the served adapters' B lacks its alpha / rank scale",
             "luislite/nlu/adapters.py", "(self.B * self.scale).detach().half()", "self.B.detach().half()",
             ("tests/nlu/test_adapters.py", "tests/nlu/test_fit.py")),
    Mutation("refined-slots-kept", "a refinement replaces the version's quick model but not the slots serving it",
             "luislite/training/jobs.py",
             "        db.session.execute(sa.update(Publication).where(Publication.artifact == job.replaces)\n"
             "                           .values(artifact=artifact))\n", "",
             ("tests/test_training_jobs.py",)),
    Mutation("refinement-never-yields", "a refinement holds the worker while trainings wait",
             "luislite/training/worker.py", "self.yielded = self.yields and jobs.work_waiting()",
             "self.yielded = False", ("tests/test_training_jobs.py",)),
    Mutation("deep-floor-ignored", "apps on the 12-layer multilingual encoder train English's 300 steps",
             "luislite/nlu/fit.py", "self.deep_min_steps if layers >= DEEP else 0", "0",
             ("tests/nlu/test_fit.py",)),
    Mutation("test-behind-refinement", "a batch test waits behind a refinement (minutes for a large app)",
             "luislite/training/jobs.py", '(BatchTest, None), (TrainingJob, "refine"))',
             '(TrainingJob, "refine"), (BatchTest, None))',
             ("tests/test_training_jobs.py",)),
    Mutation("refinement-before-training", "a queued refinement (minutes) goes before a queued training",
             "luislite/training/jobs.py", '((TrainingJob, "train"), (BatchTest, None), (TrainingJob, "refine"))',
             '((TrainingJob, "refine"), (BatchTest, None), (TrainingJob, "train"))',
             ("tests/test_training_jobs.py",)),
    Mutation("memory-kept", "the worker keeps what its trainings freed (about 0.7 GB after a multilingual one)",
             "luislite/training/worker.py", "                _return_freed_memory()\n", "",
             ("tests/test_training_jobs.py",)),
    Mutation("characters-one-by-one", "a Chinese sentence reaches the multilingual tokenizer one marked character at "
             "a time, not as the running text it was pre-trained on", "luislite/nlu/tokenize.py",
             "        if space or not runs:\n", "        if True:\n", ("tests/nlu/test_vocabulary.py",)),
    Mutation("label-boundary-piece-kept", "a piece holding a labeled entity's boundary stays whole (the entity can "
             "never be found)", "luislite/nlu/fit.py", "                before.add(example.words[word][0])\n", "",
             ("tests/nlu/test_vocabulary.py",)),
    Mutation("served-without-boundaries", "the served model reads queries without the cuts its training made",
             "luislite/nlu/recognizer.py", 'Boundaries(**labels.get("boundaries", {}))', "Boundaries()",
             ("tests/nlu/test_vocabulary.py",)),
    Mutation("letters-cut", "a label boundary inside a Latin piece cuts every piece at its letters",
             "luislite/nlu/fit.py", "return not character.isalnum() or ord(character) >= CJK_FROM", "return True",
             ("tests/nlu/test_vocabulary.py",)),
    Mutation("joined-words-dropped", "a predicted entity ends at its last piece's first character",
             "luislite/nlu/tokenize.py", "covered[-1] = covered[-1]._replace(end=token.end)", "pass",
             ("tests/nlu/test_vocabulary.py",)),
    Mutation("values-across-intents", "augmentation swaps an entity value for any value of its slot, other intents' "
             "included (\"next\" mail taught as ShowPrevious)", "luislite/nlu/fit.py",
             "rng.choice(pool[example.intent, slot])",
             "rng.choice([v for (_, s), values in pool.items() if s == slot for v in values])",
             ("tests/nlu/test_fit.py",)),
    Mutation("collapse-kept", "a refined training that learned no intent is kept, not trained again",
             "luislite/nlu/fit.py", 'if first.get("collapsed") or first.get("underfit"):', "if False:",
             ("tests/nlu/test_fit.py",)),
    Mutation("quick-retried", "a quick model that has not learned much yet is trained twice before Train answers",
             "luislite/nlu/fit.py", "        if faster:  # a quick model is refined anyway: no second try, nothing to "
             "measure\n            return model, stats\n", "",
             ("tests/nlu/test_fit.py",)),
    Mutation("deep-quick-heads-slow", "the multilingual quick model's heads learn at English's rate",
             "luislite/nlu/fit.py", "self.deep_quick_head_lr if layers >= DEEP else", "self.quick_head_lr if True else",
             ("tests/nlu/test_fit.py",)),
    Mutation("underfit-kept", "a refined model that reproduces too little of its training slots is kept",
             "luislite/nlu/fit.py", 'if first.get("collapsed") or first.get("underfit"):',
             'if first.get("collapsed"):',
             ("tests/nlu/test_fit.py",)),
    Mutation("underfit-retried-gentler", "a model that underfit its slots is trained again at half the learning rates "
             "(which underfits more)", "luislite/nlu/fit.py", 'if first["collapsed"] else self', "if True else self",
             ("tests/nlu/test_fit.py",)),
    Mutation("entity-pairs-ignored", "an entity never seen after another cuts a value in two (\"cle elum\": a city, "
             "then a state)", "luislite/nlu/tags.py", "counts, pairs[d] if pairs else None)", "counts, None)",
             ("tests/nlu/test_tags.py",)),
    Mutation("entity-pairs-unsaved", "the entity pairs seen adjacent in training never reach the artifact",
             "luislite/nlu/tags.py", '({"pairs": self.pairs} if self.pairs is not None else {})', "{}",
             ("tests/nlu/test_tags.py", "tests/nlu/test_fit.py")),
    Mutation("job-ended-in-a-read", "the worker ends a job in the read transaction it began (on SQLite: 'database is "
             "locked' once another connection wrote, and the worker dies)", "luislite/training/jobs.py",
             "    db.session.rollback()\n    active = ", "    active = ", ("tests/test_training_jobs.py",)),
    Mutation("clu-poll-writes-in-its-read", "a CLU training poll records its job's end in the read transaction it "
             "began (503 once the worker wrote)", "luislite/services/clu.py",
             "    db.session.rollback()\n    for job_id, values", "    for job_id, values",
             ("tests/test_training_jobs.py",)),
    Mutation("name-prior-unapplied", "slot heads start at random, not at the vectors of their entities' names",
             "luislite/nlu/fit.py", "name_prior(model, loaded, batcher, tagset, recipe.name_prior)", "pass",
             ("tests/nlu/test_fit.py",)),
    Mutation("name-prior-on-b-only", "only an entity's B- row starts at its name's vector, not its I- row",
             "luislite/nlu/fit.py", "head.weight[1::2] = head.weight[2::2] = scale *",
             "head.weight[1::2] = scale *", ("tests/nlu/test_fit.py",)),
    Mutation("prototypes-unserved", "a small app's intents are scored by its head alone, its prototypes ignored",
             "luislite/nlu/recognizer.py", "return head + np.ravel(self.network.prototype_scores(inputs))",
             "return head", ("tests/nlu/test_fit.py",)),
    Mutation("prototypes-second-guess-sure", "a head sure of its intent still pays the prototypes' second pass",
             "luislite/nlu/recognizer.py", "if np.exp(_log_softmax(head)).max() >= SURE:", "if False:",
             ("tests/nlu/test_fit.py",)),
    Mutation("prototypes-adapted", "prototypes are compared with the app's adapted sentence vector, not the "
             "pretrained one they were made of", "luislite/nlu/recognizer.py",
             "self.frozen = {name: _zeros(matrix.shape) for name, matrix in self.adapters.items()}",
             "self.frozen = self.adapters", ("tests/nlu/test_fit.py",)),
    Mutation("worker-ignores-sigterm", "`luislite worker` has no SIGTERM handler (a container's process 1 then "
             "ignores `docker stop` until killed)", "luislite/cli.py",
             "    _exit_on_sigterm()\n    run_worker(", "    run_worker(",
             ("tests/test_production.py",)),
    Mutation("stored-model-unpacks-links", "a stored model's archive may hold links, not only plain files",
             "luislite/store/database.py", "if not member.isfile() or member.name", "if member.isdir() or member.name",
             ("tests/test_database_store.py",)),
]


def check(mutations: list[Mutation]) -> list[str]:
    """What is wrong with the list against the code: snippets not found exactly once, or no-op patches."""
    problems = []
    for m in mutations:
        path = REPO / m.file
        count = path.read_text().count(m.old) if path.exists() else 0
        if count != 1 or m.old == m.new:
            problems.append(f"{m.name}: {m.file} holds its old snippet {count} times (must be once):\n    {m.old!r}")
    return problems


def copy_tree(target: Path) -> None:
    """The working tree as git sees it (tracked files and untracked ones it does not ignore) into `target`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def environment(tree: Path) -> dict:
    """The copy's luislite first on the path, no bytecode written (a restored file must never meet a stale .pyc)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUISLITE_")}
    return env | {"PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}


def run_tests(tree: Path, tests: list[str], timeout: float) -> str:
    """pytest on `tests` in the copy: caught, MISSED, error or timeout. Its process group (servers a test started
    included) is killed when it ends, times out or the run is interrupted."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    process = subprocess.Popen(command, cwd=tree, env=environment(tree), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    return {None: "timeout", 0: "MISSED", 1: "caught"}.get(code, "error")


def mutate(tree: Path, mutation: Mutation, timeout: float) -> tuple[str, float]:
    """(result, seconds) of one mutation, applied to the copy and then undone."""
    tests = [t for t in mutation.tests if (tree / t).exists()]
    if not tests:
        return "no tests", 0.0
    path = tree / mutation.file
    original = path.read_text()
    path.write_text(original.replace(mutation.old, mutation.new, 1))
    started = time.monotonic()
    try:
        return run_tests(tree, tests, timeout), time.monotonic() - started
    finally:
        path.write_text(original)


def baseline(tree: Path, mutations: list[Mutation], timeout: float) -> None:
    """Run each named test file once, unmutated: a mutation is only `caught` by tests that pass without it."""
    for test in dict.fromkeys(t for m in mutations for t in m.tests if (tree / t).exists()):
        started = time.monotonic()
        result = {"MISSED": "passes", "caught": "FAILS"}.get(run_tests(tree, [test], timeout), "error")
        print(row(["(unmutated)", test, result, f"{time.monotonic() - started:.0f}"]), flush=True)


def named(tree: Path, tests: tuple[str, ...]) -> str:
    return " ".join(t if (tree / t).exists() else f"{t} (absent)" for t in tests)


def check_copy(tree: Path) -> None:
    """Refuse to run unless the copy's luislite is the one its tests import."""
    found = subprocess.run([sys.executable, "-c", "import luislite; print(luislite.__file__)"], cwd=tree,
                           env=environment(tree), capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).is_relative_to(tree):
        sys.exit(f"the copy's tests would import {found}, not the copy's luislite")


def row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", metavar="NAME", help="run this mutation (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and their test files, run nothing")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for one mutation's tests (default 900)")
    parser.add_argument("--baseline", action="store_true", help="first run the named test files unmutated")
    args = parser.parse_args()
    unknown = set(args.only or ()) - {m.name for m in MUTATIONS}
    if unknown:
        sys.exit(f"unknown mutation(s): {', '.join(sorted(unknown))}; see --list")
    problems = check(MUTATIONS)
    if problems:
        sys.exit("the mutation list no longer matches the code:\n" + "\n".join(problems))
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:40} {m.file}\n{'':40} {m.what}\n{'':40} tests: {' '.join(m.tests)}")
        return
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a kill cleans up as Ctrl-C does
    print(row(["mutation", "test files", "result", "seconds"]))
    print(row(["---"] * 4))
    results = []
    with tempfile.TemporaryDirectory(prefix="luislite-mutate-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        check_copy(tree)
        try:
            if args.baseline:
                baseline(tree, chosen, args.timeout)
            for m in chosen:
                result, seconds = mutate(tree, m, args.timeout)
                results.append(result)
                print(row([m.name, named(tree, m.tests), result, f"{seconds:.0f}"]), flush=True)
        except KeyboardInterrupt:
            print("interrupted: the checkout was never edited; the temporary copy is removed", file=sys.stderr)
            sys.exit(130)
    print(f"\n{results.count('caught')} caught, {results.count('MISSED')} missed, {len(results)} mutations")


if __name__ == "__main__":
    main()
