"""nbgrader configuration of the course (nbgrader 0.9.6).

solutions/  = nbgrader "source" (instructor notebooks, with solutions and hidden tests)
notebooks/  = nbgrader "release" (student notebooks: generated, committed, never edited by hand)
"""

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "deep-learning-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# Training and demo cells run a tiny setting under autograde (course_lib.env.is_grading()),
# but a slow student laptop or an inefficient loop still needs headroom per cell.
c.Execute.timeout = 180
c.Execute.interrupt_on_timeout = True

# A student who deletes a test cell does not escape it: the cell is put back at autograde.
c.OverwriteCells.add_missing_cells = True

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
