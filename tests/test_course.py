"""The manifest loader: the bundled course is valid and complete; broken manifests name file, entry and fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dlquest.course import BUNDLED_COURSE, LANGUAGES, ManifestError, UnknownItem, load_course


def test_bundled_course_loads_with_both_exercises(course):
    assert {"perceptron", "conv2d"} <= set(course.exercises)
    assert {"perceptron-mlp", "convolution"} <= set(course.lessons)
    assert [s.id for s in course.stages] == ["foundations", "getting-started", "intermediate", "specialisation"]


def test_every_bundled_lesson_has_both_languages_and_an_example(course):
    for lesson in course.lessons.values():
        for lang in LANGUAGES:
            assert course.path(lesson.pages[lang]).read_text(encoding="utf-8").strip()
        assert lesson.example is not None and course.path(lesson.example).is_file()


def test_unknown_exercise_suggests_the_closest_name(course):
    with pytest.raises(UnknownItem) as err:
        course.exercise("conv2")
    assert err.value.suggestions[0] == "conv2d"


@pytest.fixture
def course_copy(tmp_path):
    root = tmp_path / "course"
    for part in ("lessons", "exercises", "solutions", "checks", "data"):
        shutil.copytree(BUNDLED_COURSE / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit_manifest(root: Path, old: str, new: str) -> None:
    manifest = root / "lessons" / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_copy_of_the_course_loads_from_its_folder(course_copy):
    assert load_course(course_copy).root == course_copy.resolve()


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('solution = "solutions/conv2d.py"', 'solution = "solutions/conv3d.py"',
         ["exercise 'conv2d'", "solutions/conv3d.py, which does not exist"]),
        ('id = "conv2d"', 'id = "perceptron"', ["exercise 'perceptron'", "duplicate id"]),
        ('requires = ["conv2d"]', 'requires = ["conv2dd"]',
         ["exercise 'pooling'", "unknown prerequisite 'conv2dd'", "did you mean 'conv2d'"]),
        ('kind = "exercise"\nid = "perceptron"', 'kind = "exercize"\nid = "perceptron"',
         ["'perceptron'", 'kind = "lesson" or kind = "exercise"']),
        ('title = { en = "conv2d from scratch", zh = "从零实现 conv2d" }', 'title = { en = "conv2d from scratch" }',
         ["exercise 'conv2d'", "`title` has no text for zh"]),
        ('check = "checks/test_conv2d.py"\npoints = 20', 'check = "checks/test_conv2d.py"\npoints = -3',
         ["exercise 'conv2d'", "points = -3 must be a number >= 0"]),
        ('stub = "exercises/conv2d.py"', 'stub = "../../etc/passwd"', ["exercise 'conv2d'", "relative path inside"]),
        ("[course]", "[course\n", ["not valid TOML", "line"]),
    ],
)
def test_broken_manifest_names_file_entry_and_fault(course_copy, old, new, expected):
    edit_manifest(course_copy, old, new)
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    message = str(err.value)
    assert str(course_copy / "lessons" / "course.toml") in message
    for fragment in expected:
        assert fragment in message


def test_every_fault_is_reported_at_once(course_copy):
    edit_manifest(course_copy, 'solution = "solutions/conv2d.py"', 'solution = "solutions/nope.py"')
    edit_manifest(course_copy, 'check = "checks/test_perceptron.py"', 'check = "checks/nope.py"')
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    assert len(err.value.problems) == 2


def test_missing_course_folder_or_manifest(tmp_path):
    with pytest.raises(ManifestError, match="does not exist"):
        load_course(tmp_path / "nowhere")
    with pytest.raises(ManifestError, match="no manifest"):
        load_course(tmp_path)


GUIDES = '''
[[guides]]
id = "study-path"
title = { en = "The study path", zh = "学习路线" }
pages = { en = "lessons/en/path.md", zh = "lessons/zh/path.md" }
'''


def test_guides_load_in_order_with_their_pages(course_copy):
    for lang, text in (("en", "# The path\n"), ("zh", "# 路线\n")):
        (course_copy / "lessons" / lang / "path.md").write_text(text, encoding="utf-8")
    manifest = course_copy / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + GUIDES, encoding="utf-8")
    course = load_course(course_copy)
    guide = course.guide("study-path")
    assert list(course.guides)[-1] == "study-path"
    assert guide.kind == "guide" and guide.example is None
    assert course.path(guide.pages["zh"]).read_text(encoding="utf-8") == "# 路线\n"
    with pytest.raises(UnknownItem) as err:
        course.guide("study-pth")
    assert err.value.suggestions == ["study-path"]


def test_a_broken_guide_is_reported_like_any_entry(course_copy):
    manifest = course_copy / "lessons" / "course.toml"
    broken = GUIDES.replace('id = "study-path"', 'id = "conv2d"').replace(', zh = "学习路线"', "")
    manifest.write_text(manifest.read_text(encoding="utf-8") + broken, encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(course_copy)
    message = str(err.value)
    assert "guide 'conv2d': duplicate id" in message


def test_the_bundled_guides_are_there_with_their_estimates(course):
    # Their pages follow the rules of every page (tests/test_lessons.py).
    assert {"learning-path", "learning-resources", "practice-platforms", "open-source-projects", "faq",
            "career-paths"} <= set(course.guides)
    assert all(guide.minutes for guide in course.guides.values())


def test_every_bundled_exercise_states_its_task_in_both_languages(course):
    """English: the stub's docstring. Chinese: lessons/zh/tasks/<id>.md, naming the same exercise."""
    import ast

    for exercise in course.exercises.values():
        doc = ast.get_docstring(ast.parse(course.path(exercise.stub).read_text(encoding="utf-8")))
        assert doc and f"`{exercise.id}`" in doc, exercise.id
        page = course.task_page(exercise, "zh")
        assert page is not None, f"{exercise.id}: no lessons/zh/tasks/{exercise.id}.md"
        text = page.read_text(encoding="utf-8")
        assert text.startswith(f"练习 `{exercise.id}`") and f"dlquest check {exercise.id}" in text, exercise.id
    assert course.task_page(next(iter(course.exercises.values())), "en") is None  # English is the docstring


# --- strict keys and types (issues 14 and 21): what an author misspells or mistypes is named, with the fix ------
EXAMPLE_COURSE = Path(__file__).resolve().parents[1] / "docs" / "example-course"

# A course of the tests' own, so that the bundled course's content can change without moving these tests.
STRICT_MANIFEST = '''[course]
id = "strict"
title = { en = "A course for the loader's tests", zh = "用于测试加载器的课程" }

[[stages]]
id = "foundations"
title = { en = "Foundations", zh = "基础" }
goal = { en = "Python, NumPy and the rest.", zh = "Python、NumPy 等。" }

[[stages.units]]
id = "basics"
title = { en = "Basics", zh = "基础" }

[[stages.units.items]]
kind = "lesson"
id = "numpy-broadcasting"
title = { en = "Broadcasting", zh = "广播" }
pages = { en = "lessons/en/numpy-broadcasting.md", zh = "lessons/zh/numpy-broadcasting.md" }
example = "lessons/examples/numpy_broadcasting.py"

[[stages.units.items]]
kind = "exercise"
id = "perceptron"
title = { en = "A perceptron", zh = "感知机" }
stub = "exercises/perceptron.py"
solution = "solutions/perceptron.py"
check = "checks/test_perceptron.py"
hints = [{ en = "Weights and a bias.", zh = "权重和偏置。" }]

[[stages.units]]
id = "cnn"
title = { en = "Convolutions", zh = "卷积" }

[[stages.units.items]]
kind = "lesson"
id = "convolution"
title = { en = "Convolution", zh = "卷积" }
pages = { en = "lessons/en/convolution.md", zh = "lessons/zh/convolution.md" }

[[stages.units.items]]
kind = "exercise"
id = "conv2d"
title = { en = "conv2d from scratch", zh = "从零实现 conv2d" }
lesson = "convolution"
stub = "exercises/conv2d.py"
solution = "solutions/conv2d.py"
check = "checks/test_conv2d.py"
points = 20
hints = [
    { en = "The output size first.", zh = "先算输出尺寸。" },
    { en = "A window at each position.", zh = "每个位置取一个窗口。" },
]

[[stages.units.items]]
kind = "exercise"
id = "pooling"
title = { en = "Max pooling", zh = "最大池化" }
stub = "exercises/pooling.py"
solution = "solutions/pooling.py"
check = "checks/test_pooling.py"
requires = ["conv2d"]
hints = [{ en = "The largest value of each window.", zh = "每个窗口中的最大值。" }]
'''


@pytest.fixture
def strict_course(tmp_path) -> Path:
    root = tmp_path / "strict"
    files = ["lessons/en/numpy-broadcasting.md", "lessons/zh/numpy-broadcasting.md", "lessons/en/convolution.md",
             "lessons/zh/convolution.md", "lessons/examples/numpy_broadcasting.py"]
    for name in ("perceptron", "conv2d", "pooling"):
        files += [f"exercises/{name}.py", f"solutions/{name}.py", f"checks/test_{name}.py"]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# a file of the test course\n", encoding="utf-8")
    (root / "lessons" / "course.toml").write_text(STRICT_MANIFEST, encoding="utf-8")
    load_course(root)  # sound as it stands: each test breaks one thing
    return root


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('check = "checks/test_conv2d.py"\n', 'check = "checks/test_conv2d.py"\ntimout = 30\n',
         "exercise 'conv2d': unknown key 'timout'; did you mean 'timeout'?"),
        ('check = "checks/test_conv2d.py"\npoints = 20', 'check = "checks/test_conv2d.py"\npionts = 20',
         "exercise 'conv2d': unknown key 'pionts'; did you mean 'points'?"),
        ('requires = ["conv2d"]', 'requirs = ["conv2d"]',
         "exercise 'pooling': unknown key 'requirs'; did you mean 'requires'?"),
        ('example = "lessons/examples/numpy_broadcasting.py"', 'exmaple = "lessons/examples/numpy_broadcasting.py"',
         "lesson 'numpy-broadcasting': unknown key 'exmaple'; did you mean 'example'?"),
        ('goal = { en = "Python, NumPy', 'gaol = { en = "Python, NumPy',
         "stage 'foundations': unknown key 'gaol'; did you mean 'goal'?"),
        ('[[stages.units.items]]\nkind = "lesson"\nid = "numpy-broadcasting"',
         '[[stages.unit.items]]\nkind = "lesson"\nid = "numpy-broadcasting"',
         "stage 'foundations': unknown key 'unit' (from [[stages.unit.items]]); did you mean 'units'?"),
        ('solution = "solutions/conv2d.py"', 'soluton = "solutions/conv2d.py"',
         "exercise 'conv2d': missing `solution` — found `soluton`; did you mean `solution`?"),
        ('example = "lessons/examples/numpy_broadcasting.py"',
         'example = "lessons/examples/numpy_broadcasting.py"\nstub = "exercises/x.py"',
         "lesson 'numpy-broadcasting': unknown key 'stub' in a lesson: only exercises take `stub`"),
        ('check = "checks/test_conv2d.py"\npoints = 20', 'check = "checks/test_conv2d.py"\npoints = "20"',
         "exercise 'conv2d': `points` must be a number >= 0, not a string (\"20\")"),
        ('requires = ["conv2d"]', 'requires = "conv2d"',
         "exercise 'pooling': `requires` must be a list of exercise ids"),
        ('title = { en = "conv2d from scratch", zh = "从零实现 conv2d" }', "title = 3",
         "exercise 'conv2d': `title` must be a text in every language"),
        ('pages = { en = "lessons/en/numpy-broadcasting.md", zh = "lessons/zh/numpy-broadcasting.md" }',
         'pages = { en = "lessons/en/numpy-broadcasting.md" }',
         "lesson 'numpy-broadcasting': missing `pages.zh`"),
        ('pages = { en = "lessons/en/numpy-broadcasting.md"', 'pages = { en = "lessons/en/numpy-broadcastin.md"',
         "`pages.en` names lessons/en/numpy-broadcastin.md, which does not exist"),
        ('lesson = "convolution"', 'lesson = "convolutin"',
         "exercise 'conv2d': lesson = 'convolutin' names no lesson in the manifest; did you mean 'convolution'?"),
    ],
)
def test_a_misspelt_or_mistyped_key_is_named_with_its_fix(strict_course, old, new, expected):
    edit_manifest(strict_course, old, new)
    with pytest.raises(ManifestError) as err:
        load_course(strict_course)
    assert any(expected in problem for problem in err.value.problems), err.value.problems


def test_a_missing_page_suggests_the_file_that_exists(strict_course):
    (strict_course / "lessons" / "en" / "numpy-broadcasting.md").rename(strict_course / "lessons" / "en" / "activations.md")
    edit_manifest(strict_course, 'en = "lessons/en/numpy-broadcasting.md"', 'en = "lessons/en/activation.md"')
    with pytest.raises(ManifestError) as err:
        load_course(strict_course)
    assert err.value.problems[0].endswith("; did you mean lessons/en/activations.md?"), err.value.problems


def test_a_hint_is_named_as_the_author_writes_it(strict_course):
    manifest = strict_course / "lessons" / "course.toml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    second = lines.index("hints = [\n", lines.index('id = "conv2d"\n')) + 2
    lines[second] = lines[second][:lines[second].index(", zh =")] + " },\n"
    manifest.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(strict_course)
    (problem,) = err.value.problems
    assert "`hints[2].zh` is missing" in problem and "exercise 'conv2d'" in problem and "`text`" not in problem


def test_a_list_of_strings_for_stages_is_a_fault_not_an_exception(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "course.toml").write_text(
        'stages = ["x"]\n[course]\nid = "c"\ntitle = { en = "C", zh = "C" }\n', encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_course(tmp_path)
    assert err.value.problems == ['the manifest: `stages[1]` must be a table (a [[stages]] section), not a string ("x")']


def test_each_fault_names_the_line_its_entry_starts_on(strict_course):
    edit_manifest(strict_course, 'solution = "solutions/conv2d.py"', 'soluton = "solutions/conv2d.py"')
    with pytest.raises(ManifestError) as err:
        load_course(strict_course)
    lines = (strict_course / "lessons" / "course.toml").read_text(encoding="utf-8").splitlines()
    (problem,) = err.value.problems
    number = int(problem.split(",")[0].removeprefix("line "))
    assert lines[number - 1] == "[[stages.units.items]]" and 'id = "conv2d"' in lines[number:number + 3]


def test_every_kind_of_fault_at_once(strict_course):
    edit_manifest(strict_course, 'check = "checks/test_conv2d.py"\n', 'check = "checks/test_conv2d.py"\ntimout = 3\n')
    edit_manifest(strict_course, 'solution = "solutions/perceptron.py"', 'soluton = "solutions/perceptron.py"')
    edit_manifest(strict_course, 'goal = { en = "Python, NumPy', 'gaol = { en = "Python, NumPy')
    edit_manifest(strict_course, 'requires = ["conv2d"]', 'requires = "conv2d"')
    with pytest.raises(ManifestError) as err:
        load_course(strict_course)
    assert [p.split(": ", 1)[1].split(" ")[0:3] for p in err.value.problems] == [
        ["unknown", "key", "'gaol';"], ["missing", "`solution`", "—"], ["unknown", "key", "'timout';"],
        ["`requires`", "must", "be"]]


def _mutations(data: object, path: tuple = ()):
    """Every way to break one value of a parsed manifest: each key removed, each value swapped for another type."""
    import datetime

    others = ["x", 3, -2.5, float("nan"), True, [], ["x"], [3], {}, {"en": 1}, [{"a": 1}], datetime.date(2026, 1, 1)]
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), None
            for other in others:
                if type(other) is not type(value):
                    yield (*path, key), other
            yield from _mutations(value, (*path, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            for other in others[:4]:
                yield (*path, n), other
            yield from _mutations(value, (*path, n))


def _mutated(data: object, path: tuple, value: object) -> object:
    import copy

    data = copy.deepcopy(data)
    target = data
    for step in path[:-1]:
        target = target[step]
    if value is None and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_no_broken_value_ends_in_a_python_exception():
    """Every key of the example course removed or given a value of another type: a ManifestError naming it (or
    a course, where the value is optional and still valid), never a TypeError or AttributeError."""
    from dlquest.course import build_course, tomllib

    text = (EXAMPLE_COURSE / "lessons" / "course.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    tried = 0
    for path, value in _mutations(data):
        tried += 1
        try:
            build_course(EXAMPLE_COURSE, _mutated(data, path, value), text)
        except ManifestError as err:
            assert err.problems and all(isinstance(p, str) and p for p in err.problems)
    assert tried > 300


def test_empty_parts_are_named_for_course_check(strict_course):
    from dlquest.course import empty_parts

    assert empty_parts(load_course(strict_course)) == []
    manifest = strict_course / "lessons" / "course.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '''
[[stages]]
id = "later"
title = { en = "Later", zh = "以后" }

[[stages]]
id = "soon"
title = { en = "Soon", zh = "不久" }

[[stages.units]]
id = "nothing-yet"
title = { en = "Nothing yet", zh = "暂无" }
''', encoding="utf-8")
    assert empty_parts(load_course(strict_course)) == [
        ("stage 'later'", "has no units; add a [[stages.units]] table under it or remove it"),
        ("unit 'nothing-yet' (stage 'soon')", "has no items; add [[stages.units.items]] under it or remove it"),
    ]


def test_every_key_the_loader_knows_is_documented_for_authors():
    """FIELDS is the one list of manifest keys: each one appears in docs/authoring.md as an author writes it."""
    import re

    from dlquest.course import FIELDS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    undocumented = [f"{table}.{key}" for table, fields in FIELDS.items() for key in fields
                    if not re.search(rf"(^|[\s\[`.]){re.escape(key)}(\s*=|`|\])", doc, re.M)]
    assert undocumented == []
