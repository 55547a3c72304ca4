"""Executing grading notebooks: isolated kernels, the batch runner over a process pool, and the graded folder."""
