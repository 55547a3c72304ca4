"""Who is working a case, settled before the case opens: the candidate's id, the organisation and seed of their
world, and where their answer is saved.

The identity comes from the roster (:mod:`casekit.assessment.roster`: the organisation and seed the cohort's roster
assigns the candidate for the case kind), or from what the notebook was given (its parameters, or the ``CASEKIT_*``
environment variables), or from what the candidate enters and confirms in the app's identity step.
:func:`resolve_identity` decides it, the same way for all three and without any widget: an :class:`Identity`;
``None`` while something is still to be asked; or a :class:`~casekit.errors.UsageError` naming every problem at
once (an id that is not a safe id, an unknown organisation, a seed out of range, a candidate the roster does not
list, an organisation or seed other than the one the roster assigns, naming both).

The answer path, unless given, is ``answers/<candidate>-<kind>.json`` (:func:`default_answer_path`), named only
from an id that has passed :func:`casekit.answers.is_safe_id`. A roster the candidate names themselves is a bare
file name in the working folder (:func:`roster_in_folder`), never a path they choose.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from casekit.answers import is_safe_id
from casekit.assessment.roster import Roster, known_orgs, load_roster
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.limits import MAX_SEED
from casekit.validation import got

__all__ = ["ANSWERS_DIR", "Identity", "default_answer_path", "parse_seed", "resolve_identity", "roster_in_folder"]

#: The folder answers are saved in when no answer path is given (relative to the working folder).
ANSWERS_DIR: Final = Path("answers")


@dataclass(frozen=True)
class Identity:
    """Who works the case and in which world: the candidate, the organisation and seed, the answer path, and the
    roster component the organisation and seed were assigned for (``None`` when they were given, not looked up)."""

    candidate_id: str
    org: str
    seed: int
    answer_path: Path
    component: str | None = None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def default_answer_path(candidate_id: str, kind_id: str, lang: str | None = None) -> Path:
    """``answers/<candidate_id>-<kind_id>.json``; :class:`UsageError` when ``candidate_id`` is not a safe id."""
    if not is_safe_id(candidate_id):
        raise UsageError(t("candidate.bad_id", lang, got=got(candidate_id)))
    return ANSWERS_DIR / f"{candidate_id}-{kind_id}.json"


def roster_in_folder(name: str, lang: str | None = None) -> Path:
    """The roster file a candidate names in the identity step: a bare file name (a safe id, so no folder and no
    ``..``) in the working folder; :class:`UsageError` for anything else."""
    name = name.strip()
    if not is_safe_id(name):
        raise UsageError(t("candidate.bad_roster_name", lang, got=got(name)))
    return Path(name)


def parse_seed(value: int | str, lang: str | None = None) -> int:
    """A seed given as a number or as the text of one: a whole number from 0 to :data:`MAX_SEED`."""
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        seed = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else -1
    else:
        seed = value if isinstance(value, int) and not isinstance(value, bool) else -1
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(t("candidate.bad_seed", lang, got=got(value), max=f"{MAX_SEED:,}"))
    return seed


def resolve_identity(
    kind_id: str,
    candidate_id: str | None = None,
    org: str | None = None,
    seed: int | str | None = None,
    *,
    roster: Roster | str | os.PathLike[str] | None = None,
    answer_path: str | os.PathLike[str] | None = None,
    lang: str | None = None,
) -> Identity | None:
    """The identity of whoever works a case of kind ``kind_id``, from what is given (blank text counts as not
    given); ``None`` while the candidate id, or (without a roster) the organisation or seed, is still to be asked.

    With a roster (a :class:`Roster`, or the path of one, read with :func:`load_roster`) the organisation and seed
    are the ones it assigns the candidate for ``kind_id`` (the id is matched regardless of letter case, as the
    roster matches ids, and spelled as on the roster); an organisation or seed given as well must be the same.
    :class:`UsageError` names every problem; a roster that cannot be read is a :class:`RosterError`."""
    problems: list[str] = []
    cid = None if _blank(candidate_id) else str(candidate_id).strip()
    if cid is not None and not is_safe_id(cid):
        problems.append(t("candidate.bad_id", lang, got=got(cid)))
        cid = None
    given_org = None if _blank(org) else str(org).strip()
    known = known_orgs()
    if given_org is not None and given_org not in known:
        problems.append(t("candidate.bad_org", lang, got=got(given_org), orgs=", ".join(known)))
    given_seed: int | None = None
    if seed is not None and not _blank(seed):
        try:
            given_seed = parse_seed(seed, lang)
        except UsageError as exc:
            problems.append(str(exc))
    if problems:
        raise UsageError("\n".join(problems))
    if cid is None:
        return None
    path = Path(answer_path) if answer_path is not None and not _blank(answer_path) else None
    if roster is None or _blank(roster):
        if given_org is None or given_seed is None:
            return None
        return Identity(cid, given_org, given_seed, path or default_answer_path(cid, kind_id, lang))
    doc = roster if isinstance(roster, Roster) else load_roster(roster)
    return _from_roster(doc, kind_id, cid, given_org, given_seed, path, lang)


def _from_roster(
    roster: Roster, kind_id: str, cid: str, org: str | None, seed: int | None, path: Path | None, lang: str | None
) -> Identity:
    """What ``roster`` assigns ``cid`` for ``kind_id``, checked against an organisation or seed given as well."""
    entry = next((e for e in roster.entries if e.candidate_id.casefold() == cid.casefold()), None)
    named = {"candidate": cid, "plan": roster.plan_id, "case": kind_id}
    if entry is None:
        raise UsageError(t("candidate.not_on_roster", lang, **named))
    assignment = roster.assignment(entry.candidate_id, kind_id)
    if assignment is None:
        cases = ", ".join(c.case for c in entry.components)
        raise UsageError(t("candidate.not_assigned", lang, cases=cases, **named))
    problems = []
    if org is not None and org != assignment.org:
        problems.append(t("candidate.roster_org", lang, given=org, assigned=assignment.org, **named))
    if seed is not None and seed != assignment.seed:
        problems.append(t("candidate.roster_seed", lang, given=seed, assigned=assignment.seed, **named))
    if problems:
        raise UsageError("\n".join(problems))
    answer = path or default_answer_path(assignment.candidate_id, kind_id, lang)
    return Identity(assignment.candidate_id, assignment.org, assignment.seed, answer, assignment.component)
