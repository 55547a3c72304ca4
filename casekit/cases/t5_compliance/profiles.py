"""Simulated candidates of known quality for the T5 case: the demo's cohort and the rubric's test fixtures.

Each profile works the case through the same :class:`~casekit.cases.t5_compliance.case.T5Case` API as the widgets.
A strong candidate lists the obligations that apply to this organisation with who they concern, the policy and the
record that proves each; gives every regulatory course to the roles that need it at the policy's deadline and
recurrence and books everybody on fortnightly sessions; states the law's figures as the law gives them and scans the
records with every rule, registers each breach with its evidence and back pay, the owner (the person's team
leader, or the workforce planner), a due date two weeks out, the root cause, the rectification and the preventive
action that fit it; runs the next month and records what it shows.

A flawed profile makes one specific mistake, so the rubric must fail exactly the criteria that mistake targets
(``FLAW_TARGETS``).
"""

from __future__ import annotations

import datetime as dt

from casekit.cases.t5_compliance import framework, register, rules, training, verify
from casekit.cases.t5_compliance.case import T5Case
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import load_law

__all__ = ["ASSESSOR_VIEW", "FLAW_TARGETS", "PROFILES", "build_case"]

#: profile -> the automatic T5 criteria its flaw makes not yet met.
FLAW_TARGETS: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset({"T5-C08"}),  # each breach with its first evidence row only: a non-essential criterion
    "boundary_missed": frozenset({"T5-C07"}),  # a day of 12.5 hours in all taken as within the daily limit
    "wrong_rate": frozenset({"T5-C09"}),  # back pay with every overtime hour at 4/3
    "role_untrained": frozenset({"T5-C03", "T5-C04"}),  # one role never given a course it needs
    "no_owner": frozenset({"T5-C10"}),  # one register entry without an owner
}
PROFILES: tuple[str, ...] = tuple(FLAW_TARGETS)
#: profile -> the assessor-judged criteria a careful assessor finds not yet met in its written answer.
ASSESSOR_VIEW: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset(),
    "boundary_missed": frozenset({"T5-C13"}),
    "wrong_rate": frozenset({"T5-C12"}),
    "role_untrained": frozenset({"T5-C12"}),
    "no_owner": frozenset({"T5-C13"}),
}
#: days between training sessions, and the days after today the register's fixes fall due
SESSION_EVERY = 14
DUE_AFTER = 14


def _framework(case: T5Case) -> None:
    entries = []
    for o in framework.applicable(case.world.spec, case.world.staff):
        policy = t("t5profile.policy", case.lang, title=o.title(case.lang))
        entries.append({"obligation": o.id, "scope": o.scope, "policy": policy, "records": list(o.records[:2])})
    case.set_framework(entries)


def _training(case: T5Case, profile: str) -> None:
    needs = training.role_needs(case.world.spec, training.staff_at(case.world, case.today()))  # course -> roles
    policy = case.policy()
    courses: dict[str, list[str]] = {}
    for course, roles in sorted(needs.items()):
        chosen = sorted(roles)
        if profile == "role_untrained" and len(chosen) > 1:
            chosen = chosen[1:]  # the first role (alphabetically) never gets it
        courses[course] = chosen
    case.set_courses([{"course": c, "roles": roles, **policy[c]} for c, roles in courses.items()])
    start = case.today()
    dates = [start + dt.timedelta(days=SESSION_EVERY * i) for i in range(27)]
    for course in courses:
        case.schedule(course, dates)


def _owners(case: T5Case) -> dict[str, str]:
    """Each person's team leader (a team leader themself, or a person of the support team: the workforce planner,
    or the first team leader when the world has no planner)."""
    staff = case.world.staff
    leaders = staff[staff["role"] == "team_leader"].sort_values("staff_id")
    by_team = dict(zip(leaders["team"], leaders["staff_id"], strict=False))
    planners = sorted(staff.loc[staff["role"] == "workforce_planner", "staff_id"])
    fallback = planners[0] if planners else str(leaders["staff_id"].iloc[0])
    owners = {str(s): by_team.get(team, fallback) for s, team in zip(staff["staff_id"], staff["team"], strict=True)}
    owners[""] = fallback
    return owners


def _findings(case: T5Case, profile: str) -> None:
    figures = rules.thresholds(load_law(), int(case.window()[0][:4]))
    if profile == "boundary_missed":
        figures["daily_max_hours"] += 0.5  # "half an hour over is within tolerance": 12.5 h missed
    case.set_thresholds(figures)
    due = case.today() + dt.timedelta(days=DUE_AFTER)
    owners = _owners(case)
    for r in rules.RULES:
        case.add_scan(
            r.id,
            severity="high" if r.id in register.PAY_RULES else "medium",
            root_cause=t(f"t5profile.cause_{r.id}", case.lang),
            due=due,
            rectification=register.RECTIFICATION[r.id],
            prevention=register.PREVENTION[r.id],
            preventive_note=t(f"t5profile.prevent_{r.id}", case.lang),
        )
    keys = list(case.findings)
    subjects = verify.subjects(case.world, case.findings.values())
    case.update_each({k: {"owner": owners.get(who, owners[""])} for k, (_, who) in zip(keys, subjects, strict=True)})
    if profile == "wrong_rate":
        flat = {**figures, "premium_after_two_hours": figures["premium_first_two_hours"]}
        case.set_thresholds(flat)
        owed = {
            k: case.back_pay(f.rule, f.staff_id, f.month) for k, f in case.findings.items() if f.rule == "overtime_pay"
        }
        case.set_thresholds(figures)
        case.update_each({k: {"back_pay": amount} for k, amount in owed.items()})
    if profile == "competent":
        case.update_each({k: {"rows": f.rows[:1]} for k, f in case.findings.items()})
    if profile == "no_owner":
        case.update_findings([sorted(case.findings)[0]], owner="")


def _verify(case: T5Case) -> None:
    """Run the next month, scan it with every rule and record, per entry, whether its breach came back."""
    month = case.run_next_month()
    records = (month["data_events"], month["complaints"])
    handler = verify.world_handlers(case.world, *records)
    again = set().union(*(verify.found_subjects(case.next_scan(r.id), handler) for r in rules.RULES))
    subjects = verify.subjects(case.world, case.findings.values(), *records)
    verdicts = {k: {"verification": "recurred" if (f.rule, who) in again else "held"}
                for k, (f, who) in zip(list(case.findings), subjects, strict=True)}  # fmt: skip
    case.update_each(verdicts)


def build_case(
    profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
) -> T5Case:
    """The T5 case worked by ``profile`` (one of :data:`PROFILES`)."""
    if profile not in FLAW_TARGETS:
        raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(PROFILES)))
    case = T5Case(org, seed, candidate_id, lang, world=world)
    _framework(case)
    _training(case, profile)
    _findings(case, profile)
    _verify(case)
    view = ASSESSOR_VIEW[profile]
    case.explanation = t(f"t5profile.explanation_{'weak' if 'T5-C12' in view else 'good'}", case.lang)
    case.discussion = t(f"t5profile.discussion_{'weak' if 'T5-C13' in view else 'good'}", case.lang)
    case.declare(True)
    return case
