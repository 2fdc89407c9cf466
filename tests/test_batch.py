"""Instructor grading: a class folder in, gradebook and reports out; hostile archives refused; runs resume."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from dlquest.course import BUNDLED_COURSE
from dlquest.grader import submissions
from dlquest.grader.records import GradeRecord
from dlquest.grader.results import verdict

# Every test here grades a class of submissions.
pytestmark = [pytest.mark.grading, pytest.mark.slow]


SOLUTION = (BUNDLED_COURSE / "solutions" / "perceptron.py").read_text()
STUB = (BUNDLED_COURSE / "exercises" / "perceptron.py").read_text()
WRONG = SOLUTION.replace(">= 0 else 0", "> 0 else 0")
HANGS = "while True:\n    pass\n"
CRASHES = "import os\nos._exit(3)\n"
FILE = "exercises/perceptron.py"


def dlquest(*args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the CLI with a mark in its environment, so that a test can ask what it left running."""
    mark = f"run-{uuid.uuid4().hex}"
    with subprocess.Popen([sys.executable, "-m", "dlquest", *args], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env={**os.environ, "DLQUEST_TEST_RUN": mark}) as process:
        stdout, stderr = process.communicate(timeout=timeout)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    result.mark = mark
    return result


def left_running(mark: str, patience: float = 5.0) -> list[str]:
    """Processes that carry `mark` in their environment (a run's coordinator, workers, sandboxed children: every
    fork inherits it, whatever session or namespace it moved to) and are still alive after `patience` seconds.
    Multiprocessing's resource tracker, say, takes a moment to notice that its parent has gone."""
    needle = f"DLQUEST_TEST_RUN={mark}".encode()
    deadline = time.monotonic() + patience
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                marked = needle in (entry / "environ").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            # A zombie is dead already: one whose parent exited first waits for init to collect it.
            if marked and stat[stat.rindex(")") + 2:].split()[0] != "Z":
                alive.append(stat)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def write_tar(path: Path, members: dict[str, bytes], symlink: str | None = None) -> None:
    with tarfile.open(path, "w:gz") as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            bundle.addfile(info)


@pytest.fixture
def classroom(tmp_path) -> Path:
    """A class of six: folders and archives, right and wrong, hanging and crashing, and a broken archive."""
    folder = tmp_path / "submissions"
    (folder / "ana" / "exercises").mkdir(parents=True)
    (folder / "ana" / FILE).write_text(SOLUTION)
    # Files that must never be picked up or imported: only allow-listed exercise files are copied.
    (folder / "ana" / "conftest.py").write_text("raise SystemExit('conftest imported')\n")
    (folder / "ana" / "exercises" / "numpy.py").write_text("raise SystemExit('shadowing module imported')\n")
    write_tar(folder / "ben.tar.gz", {f"ben/{FILE}": WRONG.encode()})
    write_tar(folder / "cai.tar.gz", {FILE: HANGS.encode()})
    with zipfile.ZipFile(folder / "dee.zip", "w") as bundle:
        bundle.writestr(FILE, CRASHES)
    (folder / "eve.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    write_tar(folder / "fay.tar.gz", {"../../escape.py": b"x", FILE: SOLUTION.encode()})
    return folder


def test_a_class_is_graded_into_every_report(classroom, tmp_path):
    out = tmp_path / "grades"
    result = dlquest("grade", str(classroom), "--exercises", "perceptron", "--out", str(out), "--workers", "2",
                     "--timeout", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((out / "gradebook.csv").open()))
    assert rows[0] == ["student", "perceptron", "total"]
    assert rows[1] == ["points possible", "10.0", "10.0"]
    scores = {row[0]: float(row[-1]) for row in rows[2:]}
    assert scores["ana"] == 10.0
    assert 0 < scores["ben"] < 10.0  # partial credit: some tests pass with > 0
    assert scores["cai"] == scores["dee"] == scores["eve"] == scores["fay"] == 0.0

    records = json.loads((out / "results.json").read_text())
    words = {student: verdict(GradeRecord.from_dict(r[0])) for student, r in records.items()}
    assert words == {"ana": "passed", "ben": "failed", "cai": "timeout", "dee": "crashed",
                     "eve": "not gradable", "fay": "not gradable"}
    assert "would land outside its folder" in json.dumps(records["fay"])
    assert records["ana"][0]["torch_version"] and len(records["ana"][0]["source_sha256"]) == 64

    gradescope = json.loads((out / "gradescope" / "ben" / "results.json").read_text())
    assert {"score", "max_score", "execution_time", "output", "tests"} <= set(gradescope)
    assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(gradescope["tests"][0])
    suites = ElementTree.parse(out / "junit.xml").getroot()
    assert len(suites.findall("testsuite")) == 6
    feedback = (out / "feedback" / "ben.md").read_text()
    assert "values differ" in feedback or "expected" in feedback
    assert "def fit" not in feedback  # never the solution's code
    assert "pass rate" in result.stdout
    # The workers, the references' children they kept and the killed children of cai and dee are all gone.
    assert left_running(result.mark) == []


def test_unchanged_submissions_are_not_graded_again(classroom, tmp_path):
    out = tmp_path / "grades"
    args = ("grade", str(classroom), "--exercises", "perceptron", "--out", str(out), "--timeout", "1")
    assert dlquest(*args, cwd=tmp_path).returncode == 0
    again = dlquest(*args, cwd=tmp_path)
    assert "0 to grade" in again.stderr
    (classroom / "ana" / FILE).write_text(STUB)
    changed = dlquest(*args, cwd=tmp_path)
    assert "1 to grade" in changed.stderr
    rows = {row[0]: row for row in csv.reader((out / "gradebook.csv").open())}
    assert float(rows["ana"][-1]) == 0.0


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path):
    folder = tmp_path / "submissions"
    for n in range(6):
        (folder / f"s{n}" / "exercises").mkdir(parents=True)
        (folder / f"s{n}" / FILE).write_text(SOLUTION if n % 2 else WRONG)
    out = tmp_path / "grades"
    args = [sys.executable, "-m", "dlquest", "grade", str(folder), "--exercises", "perceptron", "--out", str(out),
            "--workers", "1"]
    run = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not results.exists() or not results.read_text().strip()):
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    done = len(results.read_text().splitlines())
    assert 1 <= done < 6
    resumed = dlquest(*args[3:], cwd=tmp_path)
    assert resumed.returncode == 0
    assert f"{6 - done} to grade" in resumed.stderr
    rows = {row[0]: row for row in csv.reader((out / "gradebook.csv").open())}
    assert all(float(rows[f"s{n}"][-1]) == 10.0 for n in (1, 3, 5))


def test_workers_end_when_the_coordinator_is_killed(tmp_path):
    """`kill` reaches the coordinator alone (not its process group, as Ctrl-C does): its workers, waiting for
    work that will never come, and the sandboxed children they keep must not stay behind."""
    folder = tmp_path / "submissions"
    for n in range(4):
        (folder / f"s{n}" / "exercises").mkdir(parents=True)
        (folder / f"s{n}" / FILE).write_text(HANGS)
    mark = f"run-{uuid.uuid4().hex}"
    run = subprocess.Popen([sys.executable, "-m", "dlquest", "grade", str(folder), "--exercises", "perceptron",
                            "--out", str(tmp_path / "grades"), "--workers", "2", "--timeout", "30"],
                           cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "DLQUEST_TEST_RUN": mark})
    # The coordinator, its resource tracker, two workers, and each worker's learner and reference children
    # (a keeper and a runner each), the learners' hanging at import.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(left_running(mark, patience=0)) < 12:
        time.sleep(0.2)
    try:
        assert len(left_running(mark, patience=0)) >= 12
        run.kill()
        run.wait()
        assert left_running(mark, patience=10) == []
    finally:  # whatever failed, no hanging child may spin on through the rest of the suite
        for stat in left_running(mark, patience=0):
            try:
                os.kill(int(stat.split()[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("members, symlink, reason", [
    ({"/etc/evil.py": b"x"}, None, "outside its folder"),
    ({"a/../../evil.py": b"x"}, None, "outside its folder"),
    ({FILE: b"x"}, "exercises/link.py", "link"),
    ({"big.bin": b"0" * (submissions.MAX_UNPACKED_BYTES + 1)}, None, "more than"),
])
def test_hostile_archives_are_refused(tmp_path, members, symlink, reason):
    archive = tmp_path / "mal.tar.gz"
    write_tar(archive, members, symlink)
    with pytest.raises(submissions.NotGradable, match=reason):
        submissions.read_files(submissions.Submission("mal", archive), [FILE])


def test_the_coordinator_never_imports_torch(tmp_path):
    """Only the workers need torch: in the process that hands out work and writes reports it would cost ~2 s of
    CPU that the workers need (and used to come in through a str subclass in every record)."""
    (tmp_path / "class" / "ana" / "exercises").mkdir(parents=True)
    (tmp_path / "class" / "ana" / FILE).write_text(SOLUTION)
    script = ("import sys\nfrom dlquest.cli import main\n"
              f"code = main(['grade', {str(tmp_path / 'class')!r}, '--exercises', 'perceptron', '--out', "
              f"{str(tmp_path / 'out')!r}, '--workers', '1'])\n"
              "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'torch')[:3])\n")
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert ran.stdout.strip().splitlines()[-1] == "0 []", ran.stdout + ran.stderr


def test_submit_packs_what_grade_accepts(tmp_path):
    assert dlquest("init", "ws", cwd=tmp_path).returncode == 0
    (tmp_path / "ws" / FILE).write_text(SOLUTION)
    packed = dlquest("submit", "-o", str(tmp_path / "me.tar.gz"), cwd=tmp_path / "ws")
    assert packed.returncode == 0
    files = submissions.read_files(submissions.Submission("me", tmp_path / "me.tar.gz"), [FILE])
    assert files[FILE].decode() == SOLUTION


def test_the_gradescope_autograder_grades_like_dlquest_grade(tmp_path):
    built = dlquest("gradescope", "build", "--exercises", "perceptron", "-o", str(tmp_path / "ag.zip"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "ag.zip") as bundle:
        names = bundle.namelist()
        assert {"setup.sh", "run_autograder", "dlquest-src/pyproject.toml"} <= set(names)
        assert "dlquest-src/dlquest/grader/sandbox/children.py" in names
        bundle.extractall(tmp_path / "source")
    run_autograder = (tmp_path / "source" / "run_autograder").read_text()
    assert "--exercises perceptron" in run_autograder
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "perceptron.py").write_text(WRONG)  # uploaded bare, without exercises/
    env = dict(os.environ, DLQUEST_SUBMISSION=str(tmp_path / "submission"),
               DLQUEST_RESULTS=str(tmp_path / "results"), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    ran = subprocess.run(["bash", str(tmp_path / "source" / "run_autograder")], env=env, capture_output=True,
                         text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr
    report = json.loads((tmp_path / "results" / "results.json").read_text())
    assert report["max_score"] == 10.0 and 0 < report["score"] < 10.0
    assert any(t["status"] == "failed" for t in report["tests"])


TRICKS = {
    # Files a test runner or Python would pick up if they were ever copied in: they never are.
    "conftest.py": "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport():\n    yield\n",
    "pytest.ini": "[pytest]\naddopts = -p no:python\n",
    "sitecustomize.py": "raise SystemExit(0)\n",
    "evil.pth": "import os; os._exit(0)\n",
    "exercises/numpy.py": "raise SystemExit(0)\n",
    "exercises/dlquest.py": "raise SystemExit(0)\n",
}
# Learner code that tries to reach other gradings: files in /tmp, the grader's results, a global cache.
MEDDLER = SOLUTION.replace("class Perceptron:", '''import glob, os
for path in glob.glob("/tmp/**/*.py", recursive=True) + glob.glob("/tmp/**/results.jsonl", recursive=True):
    try:
        open(path, "w").write("raise SystemExit(0)\\n")
    except OSError:
        pass

class Perceptron:''')


def test_tricks_in_a_batch_change_no_honest_result(tmp_path):
    def class_folder(name: str, with_tricks: bool) -> Path:
        folder = tmp_path / name
        for student, source in {"ana": SOLUTION, "ben": WRONG}.items():
            (folder / student / "exercises").mkdir(parents=True)
            (folder / student / FILE).write_text(source)
        if with_tricks:
            for student in ("trick1", "trick2"):
                (folder / student / "exercises").mkdir(parents=True)
                (folder / student / FILE).write_text(MEDDLER)
                for path, text in TRICKS.items():
                    (folder / student / path).write_text(text)
        return folder

    def honest_results(folder: Path) -> dict:
        out = folder.with_name(folder.name + "-out")
        result = dlquest("grade", str(folder), "--exercises", "perceptron", "--out", str(out), "--seed", "99",
                         "--workers", "2", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        data = json.loads((out / "results.json").read_text())
        return {s: [(t["test"], t["outcome"], t["feedback"]) for t in data[s][0]["tests"]] for s in ("ana", "ben")}

    clean = honest_results(class_folder("clean", with_tricks=False))
    tricked = honest_results(class_folder("tricked", with_tricks=True))
    assert tricked == clean
    assert all(outcome == "passed" for _, outcome, _ in clean["ana"])


SLOW_SOLUTION = "import time\ntime.sleep(3)\n" + SOLUTION  # keeps a worker busy while the test kills it


def pool_workers(coordinator: int, mark: str) -> list[int]:
    """The local pool's worker processes: the coordinator's children that multiprocessing spawned."""
    workers = []
    for stat in left_running(mark, patience=0):
        pid, ppid = int(stat.split()[0]), int(stat[stat.rindex(")") + 2:].split()[1])
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if ppid == coordinator and b"multiprocessing" in command and b"resource_tracker" not in command:
            workers.append(pid)
    return workers


def test_a_worker_killed_mid_run_costs_no_student_their_grade(tmp_path):
    """kill -9 of a pool worker while it grades (what the OOM killer does): the pool is rebuilt, the lost work
    graded again, and every student ends with the grade their code earns, none "not gradable"."""
    folder = tmp_path / "submissions"
    sources = {"s0": SLOW_SOLUTION, "s1": SLOW_SOLUTION, "s2": WRONG, "s3": SOLUTION, "s4": SLOW_SOLUTION, "s5": WRONG}
    for student, source in sources.items():
        (folder / student / "exercises").mkdir(parents=True)
        (folder / student / FILE).write_text(source)
    out = tmp_path / "grades"
    mark = f"run-{uuid.uuid4().hex}"
    run = subprocess.Popen([sys.executable, "-m", "dlquest", "grade", str(folder), "--exercises", "perceptron",
                            "--out", str(out), "--workers", "2", "--timeout", "30"], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "DLQUEST_TEST_RUN": mark})
    results = out / "results.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and run.poll() is None and (not results.exists()
                                                                  or not results.read_text().strip()):
        time.sleep(0.1)
    workers = pool_workers(run.pid, mark)
    assert len(workers) == 2 and len(results.read_text().splitlines()) < len(sources)
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr
    data = json.loads((out / "results.json").read_text())
    words = {student: verdict(GradeRecord.from_dict(records[0])) for student, records in data.items()}
    assert words == {student: "failed" if source == WRONG else "passed" for student, source in sources.items()}
    rows = {row[0]: row for row in csv.reader((out / "gradebook.csv").open())}
    assert {float(rows[s][-1]) for s in sources if sources[s] != WRONG} == {10.0}
    assert 0 < float(rows["s2"][-1]) == float(rows["s5"][-1]) < 10.0
    assert left_running(mark) == []
