"""The website lists the notebooks in course order, side notebooks right after their main one."""

from pathlib import Path

from course_script import load_course

ROOT = Path(__file__).resolve().parents[1]



def test_side_notebooks_follow_their_main_notebook_in_the_table_of_contents():
    course = load_course()
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    listed = course.toc_notebooks(course.book_toc(names))
    assert listed == [Path(name).stem for name in names]  # nothing dropped or added
    chapter_04 = [name for name in listed if name.startswith("04")]
    assert chapter_04 == ["04_choosing_components", "04b_bootstrap_uncertainty",
                          "04c_likelihood_ratio_test", "04d_galaxy_velocities"]
    assert listed.index("04d_galaxy_velocities") + 1 == listed.index("05_em_classifier")
