"""Graded coursework: `course.py assignments DIR` writes an nbgrader course folder.

Each exercise of the notebooks (a placeholder cell ending with its self-check,
then the solution cell) becomes an nbgrader answer cell with the solution
between BEGIN/END SOLUTION and a read-only test cell asserting the same
check. nbgrader's own generate_assignment makes the release, and its own
autograde, with its sqlite gradebook, must give the reference solutions full
marks and the released, unanswered notebooks zero.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from nbformat import from_dict
from course_script import load_course

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# Two small notebooks (a few seconds each to run) with four exercises each,
# one of them with an exercise that asks for two answers.
GRADED = ("02_hidden_labels", "06_measurement_errors")



course = load_course()


def nbgrader_env():
    """nbgrader's scripts on PATH (it runs `alembic`), and no figures drawn: none is graded."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def source(cell):
    return "".join(cell["source"])


def nbgrader_cells(nb):
    return [cell for cell in nb["cells"] if "nbgrader" in cell["metadata"]]


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    """`course.py assignments DIR` for the GRADED notebooks (with this Python as the venv's)."""
    outdir = tmp_path_factory.mktemp("coursework")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(course, "setup", lambda: Path(sys.executable))
        patch.setattr(course, "venv_env", nbgrader_env)
        assert course.main(["assignments", str(outdir)]
                           + [str(NOTEBOOKS / (name + ".ipynb")) for name in GRADED]) == 0
    return outdir


# --------------------------------------------------------------- the conversion


def convert(cells):
    return course.assignment_notebook({"cells": cells, "metadata": {}, "nbformat": 4,
                                       "nbformat_minor": 5})


def code(text, tags=()):
    return {"cell_type": "code", "id": "c%d" % abs(hash(text)), "metadata": {"tags": list(tags)},
            "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout",
                                               "text": "printed"}], "source": text}


def markdown(text, tags=()):
    return {"cell_type": "markdown", "id": "m%d" % abs(hash(text)),
            "metadata": {"tags": list(tags)}, "source": text}


SOLUTION = ("solution", "hide-cell")


def test_an_exercise_becomes_an_answer_cell_and_a_read_only_test():
    placeholder = "given = 3\nmean, spread = None, None  # your answer\nnb01.check_pair(mean, spread)"
    solution = "mean = given * 2\nspread = 1.0\nprint(mean)\nnb01.check_pair(mean, spread)"
    nb, exercises = convert([code("from checks import nb01"), markdown("**Exercise 1.**"),
                             code(placeholder), code(solution, SOLUTION)])
    answer, test = nb["cells"][2:]
    assert len(nb["cells"]) == 4   # the placeholder merged into the answer
    assert source(answer).split("\n") == [
        "given = 3", "mean, spread = None, None  # your answer", "### BEGIN SOLUTION",
        "mean = given * 2", "spread = 1.0", "print(mean)", "### END SOLUTION",
        "nb01.check_pair(mean, spread)"]
    assert answer["metadata"]["nbgrader"] == {
        "grade": False, "solution": True, "locked": False, "grade_id": "answer-pair",
        "schema_version": 3}
    assert "tags" not in answer["metadata"] and "jupyter" not in answer["metadata"]
    assert answer["outputs"] == [] and answer["execution_count"] is None
    # Two answers asked for: two points, in a locked test cell that asserts the check.
    assert test["metadata"]["nbgrader"] == {
        "grade": True, "solution": False, "locked": True, "grade_id": "test-pair",
        "points": 2, "schema_version": 3}
    assert "feedback = nb01.check_pair(mean, spread)\nassert feedback, feedback" in source(test)
    assert "importlib.reload(checks.nb01).check_pair(mean, spread)" in source(test)
    assert exercises == [("test-pair", 2, "by checks.nb01.check_pair")]
    MetadataValidator().validate_nb(from_dict(nb))


def test_a_solution_no_check_can_grade_is_left_to_a_person():
    nb, exercises = convert([code("from checks import nb01"),
                             markdown("**Exercise 1 (derive it).**"),
                             markdown("<details>the derivation</details>", SOLUTION),
                             code("plot_something()", SOLUTION)])
    written, by_hand = nb["cells"][2:]
    for cell in (written, by_hand):
        meta = cell["metadata"]["nbgrader"]
        assert meta["solution"] and meta["grade"] and not meta["locked"]
        assert meta["points"] == course.POINTS_PER_WRITTEN_ANSWER
    assert source(written) == "<details>the derivation</details>"
    assert [how for _, _, how in exercises] == ["by a person", "by a person"]
    MetadataValidator().validate_nb(from_dict(nb))


def test_a_notebook_without_solutions_is_no_assignment():
    nb, exercises = convert([code("from checks import nb01"), code("x = 1")])
    assert exercises == [] and nbgrader_cells(nb) == []


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_course_notebook_converts_without_losing_a_line(path):
    original = read(path)
    nb, exercises = course.assignment_notebook(original)
    MetadataValidator().validate_nb(from_dict(nb))
    solutions = [i for i, cell in enumerate(original["cells"])
                 if "solution" in cell["metadata"].get("tags", [])]
    assert len(exercises) == len(solutions)
    graded = [cell for cell in nbgrader_cells(nb) if cell["metadata"]["nbgrader"]["grade"]]
    assert [cell["metadata"]["nbgrader"]["grade_id"] for cell in graded] == [
        grade_id for grade_id, _, _ in exercises]
    answers = iter(cell for cell in nbgrader_cells(nb) if cell["metadata"]["nbgrader"]["solution"])
    for i in solutions:
        answer = next(answers)
        solution = source(original["cells"][i])
        if not answer["metadata"]["nbgrader"]["grade"]:   # checked by a test cell
            text = source(answer)
            start, end = text.index("### BEGIN SOLUTION\n"), text.index("\n### END SOLUTION\n")
            region = text[start + len("### BEGIN SOLUTION\n"):end]
            call = text[end + len("\n### END SOLUTION\n"):]
            # the solution, without its final check call, is the region; the
            # placeholder, with the stub where the region was, is what students get
            assert (region + "\n" + call).strip() == solution.strip()
            assert (text[:start] + call).strip() == source(original["cells"][i - 1]).strip()
        else:
            assert source(answer) == solution


# ------------------------------------------------------- the nbgrader course folder


def test_assignments_leaves_a_folder_it_did_not_make_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("an instructor's own file")
    with pytest.raises(SystemExit, match="was not made by `course.py assignments`"):
        course.main(["assignments", str(tmp_path)])
    with pytest.raises(SystemExit, match="outside notebooks/"):
        course.main(["assignments", str(NOTEBOOKS / "coursework")])
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_folder_holds_config_sources_checks_and_releases(course_dir):
    assert (course_dir / "nbgrader_config.py").is_file()
    for name in GRADED:
        for stage in ("source", "release"):
            folder = course_dir / stage / name
            assert (folder / (name + ".ipynb")).is_file()
            for module in (NOTEBOOKS / "checks").glob("*.py"):
                assert (folder / "checks" / module.name).read_bytes() == module.read_bytes()
            assert not list(folder.rglob("__pycache__"))
    assert not (course_dir / "source" / "01_mixture_likelihood").exists()


def test_the_release_has_no_solutions_hidden_tests_or_outputs(course_dir):
    for name in GRADED:
        released = read(course_dir / "release" / name / (name + ".ipynb"))
        text = json.dumps(released)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "importlib.reload"):
            assert marker not in text
        solutions = [source(cell) for cell in read(NOTEBOOKS / (name + ".ipynb"))["cells"]
                     if "solution" in cell["metadata"].get("tags", [])]
        first_lines = [s.split("\n")[0] for s in solutions]
        answers = [source(cell) for cell in nbgrader_cells(released)
                   if cell["metadata"]["nbgrader"]["solution"]]
        assert len(answers) == len(solutions) == 4
        for answer, first_line in zip(answers, first_lines):
            assert "# YOUR CODE HERE" in answer and first_line not in answer
        assert all(cell.get("outputs", []) == [] for cell in released["cells"])
        tests = [cell for cell in nbgrader_cells(released) if cell["metadata"]["nbgrader"]["grade"]]
        assert len(tests) == 4 and all(cell["metadata"]["editable"] is False for cell in tests)


def test_the_hidden_test_catches_a_rebound_check(course_dir):
    # A student who rebinds the check passes the visible test, not the hidden one.
    folder = course_dir / "source" / GRADED[0]
    nb = read(folder / (GRADED[0] + ".ipynb"))
    test = next(cell for cell in nbgrader_cells(nb) if cell["metadata"]["nbgrader"]["grade"])
    assert test["metadata"]["nbgrader"]["grade_id"] == "test-known-label-sigmas"
    full = source(test)
    visible = full[:full.index("### BEGIN HIDDEN TESTS")]
    program = textwrap.dedent("""
        import sys
        from checks import nb02
        from checks.core import Feedback
        nb02.check_known_label_sigmas = lambda *args: Feedback(True, "rebound")
        class_sigmas = None
        exec(sys.argv[1])
        print("visible test passed")
        try:
            exec(sys.argv[2])
        except AssertionError as error:
            print("hidden test failed:", error)
        """)
    result = subprocess.run([sys.executable, "-c", program, visible, full], cwd=folder,
                            env=nbgrader_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    visible_line, hidden_line = result.stdout.split("\n")[:2]
    assert visible_line == "visible test passed"
    assert hidden_line.startswith("hidden test failed: Not yet: the three sigmas")


def test_autograde_gives_the_solutions_full_marks_and_blank_notebooks_zero(course_dir):
    submissions = {"reference": "source", "blank": "release"}
    for student, stage in submissions.items():
        for name in GRADED:
            target = course_dir / "submitted" / student / name
            target.mkdir(parents=True)
            shutil.copy(course_dir / stage / name / (name + ".ipynb"), target)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "*"],
                            cwd=course_dir, env=nbgrader_env(), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    with Gradebook("sqlite:///%s" % (course_dir / "gradebook.db").as_posix()) as gradebook:
        for name in GRADED:
            # the gradebook knows every test cell of the source, with its points
            points = sum(cell["metadata"]["nbgrader"].get("points", 0) for cell in nbgrader_cells(
                read(course_dir / "source" / name / (name + ".ipynb"))))
            reference = gradebook.find_submission(name, "reference")
            blank = gradebook.find_submission(name, "blank")
            assert reference.max_score == blank.max_score == points >= 4
            assert reference.score == reference.max_score, name
            assert blank.score == 0, name
            for submission in (reference, blank):
                assert not submission.needs_manual_grade
                grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
                assert len(grades) == 4
                assert all(grade.auto_score == (grade.max_score if submission is reference else 0)
                           for grade in grades)
