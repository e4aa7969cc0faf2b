"""Room mode: participants on their phones take roles and pull their role's levers on the
shared run (``milieusim viz --room``); what NetLogo's HubNet gives its clients.

No browser code: :class:`Room` holds the seats (a role and an unguessable token each),
the decisions waiting for a participant, the vote on the next intervention and the
replay of who decided what. The HTTP side (:mod:`milieusim.workshop.room_web`) and the
projected page (:mod:`milieusim.workshop.room_panel`) only call it; so do the tests.

Roles and their levers:

* a unit's **manager** approves or refuses the pilots proposed in their unit: the unit's
  :class:`~milieusim.agents.PrudentManager` shows each new proposal to its
  :attr:`~milieusim.agents.PrudentManager.delegate` (the room) before judging it;
* the **director-general** (DGS) grants derogations from internal rules and habits, the
  **mayor** from any rule that can be derogated (national ones only under the
  experimentation law): :meth:`~milieusim.agents.RuleConstraint.grant`;
* a **marginal sécant** brings one of their ideas that they had kept to themselves, a
  **partner association** one drawn on its know-how: :func:`~milieusim.submodels.pilots.propose`;
* everyone votes on the next intervention the trainer puts to the room; the winner is
  applied through the model's one door for mid-run changes
  (:meth:`~milieusim.model.MilieuModel.set`, by :meth:`.Workshop.intervene`); the mayor's
  ballot breaks a tie.

A decision not taken falls back to the model's own rule: a proposal stays with the
participant for ``Room.decision_weeks`` weeks of the run; then the play loop waits up
to ``Room.wait_seconds`` seconds of wall time for an answer (if the participant is
still connected), and hands the proposal back to the model's manager.
"""

from __future__ import annotations

import csv
import io
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from milieusim.innovation import Innovation, Stage
from milieusim.text import fixed, language, param_label
from milieusim.workshop.i18n import STRINGS, t

ROLES = ("mayor", "dgs", "manager", "secant", "partner")
"""The roles a participant may take."""

LEVERS: dict[str, frozenset[str]] = {
    "mayor": frozenset({"vote", "derogation"}),
    "dgs": frozenset({"vote", "derogation"}),
    "manager": frozenset({"vote", "pilot"}),
    "secant": frozenset({"vote", "idea"}),
    "partner": frozenset({"vote", "idea"}),
}
"""What each role may do (a participant can pull no other lever)."""

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
"""Letters and digits of a join code: none that reads like another (0/O, 1/I/L, 5/S…)."""
CODE_LENGTH = 4
DECISION_WEEKS = 4
"""Weeks of the run a proposal stays with its participant before the play loop waits."""
WAIT_SECONDS = 5.0
"""Seconds the play loop then waits for a connected participant's answer."""
VOTE_WEEKS = 8
"""Weeks a vote stays open (it closes earlier once everyone has voted)."""
PRESENT_SECONDS = 20.0
"""A participant seen within this many seconds is connected (the run waits for them)."""
SHOWN = 6
"""Ideas or derogations offered on a phone at once."""
ACTIVE = frozenset({Stage.PROPOSAL, Stage.EXPERIMENT, Stage.DIFFUSION})
"""Stages of a practice a derogation can still help."""


def rt(key: str, lang: str, **values: Any) -> str:
    """The room's string ``key`` in ``lang``, formatted with ``values``: the workshop's
    string ``room_<key>`` (:data:`~milieusim.workshop.i18n.STRINGS`)."""
    return STRINGS[f"room_{key}"][language(lang)].format(**values)


def role_title(role: str, lang: str) -> str:
    """A role's name in ``lang``, whatever its seat ('A unit's manager')."""
    return rt(
        f"role_{role}_any" if role in ("manager", "secant", "partner") else f"role_{role}", lang
    )


class RoomError(Exception):
    """A request the room refuses: ``key`` says why (the string ``room_err_<key>`` of
    :data:`~milieusim.workshop.i18n.STRINGS`), ``status`` is the HTTP status to answer
    with."""

    def __init__(self, key: str, status: int = 403) -> None:
        super().__init__(key)
        self.key = key
        self.status = status

    def label(self, lang: str) -> str:
        """Why, in ``lang``."""
        return rt(f"err_{self.key}", lang)


def new_code(length: int = CODE_LENGTH) -> str:
    """A short join code, to read off the screen and type on a phone."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


@dataclass
class Seat:
    """A participant: their role, where it sits (the unit of a manager, the staff index of
    a marginal sécant, the partner of an association; -1 for the mayor and the DGS), and
    their secret token."""

    token: str
    role: str
    place: int = -1
    number: int = 1
    """Its number among the seats of its role (the marginaux sécants', the partners')."""
    last_seen: float = 0.0

    def label(self, lang: str) -> str:
        """'Manager of unit U3' in ``lang``."""
        if self.role == "manager":
            return rt("role_manager", lang, unit=t("unit", lang, n=self.place + 1))
        if self.role in ("secant", "partner"):
            return rt(f"role_{self.role}", lang, n=self.number)
        return rt(f"role_{self.role}", lang)


@dataclass
class Decision:
    """A proposal waiting for its unit's participant."""

    id: int
    unit: int
    idea: Innovation
    opened: int
    due: int
    waited_since: float | None = None


@dataclass
class Ballot:
    """The vote on the next intervention: the options (intervention keys) and the ballots."""

    options: tuple[str, ...]
    opened: int
    due: int
    ballots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplayEntry:
    """One decision of the debrief: the week, who (a role and its place), what, on what,
    and its effect on the model. Words are string keys with their values, labelled in the
    page's language each time they are shown."""

    week: int
    role: str
    place: int
    decision: str
    subject: tuple[str, Mapping[str, Any]] | None
    effect: tuple[str, Mapping[str, Any]]
    number: int = 1

    def row(self, lang: str) -> tuple[int, str, str, str, str]:
        """(week, role, decision, subject, effect) in ``lang``."""
        if self.role in ("room", "model"):
            who = rt(f"role_{self.role}", lang)
        else:
            who = Seat("", self.role, self.place, self.number).label(lang)
        subject = _words(self.subject, lang) if self.subject else ""
        return (self.week, who, rt(f"do_{self.decision}", lang), subject, _words(self.effect, lang))


def _words(what: tuple[str, Mapping[str, Any]], lang: str) -> str:
    """Label ``(key, values)``; values that are themselves ``(key, values)`` pairs or
    callables of the language are labelled first."""
    key, values = what
    shown = {}
    for name, value in values.items():
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
            shown[name] = _words(value, lang)
        elif callable(value):
            shown[name] = value(lang)
        else:
            shown[name] = value
    return rt(key, lang, **shown)


def idea_words(k: Innovation) -> tuple[str, dict[str, Any]]:
    """An idea's name, as words to label."""
    return (
        "idea",
        {
            "id": k.id,
            "kind": ("kind_product" if k.kind == "product" else "kind_process", {}),
            "unit": lambda lang, u=k.unit: t("unit", lang, n=u + 1),
        },
    )


class RateLimiter:
    """Token buckets by key (a participant's token, a client address): ``rate`` requests
    a second on average, bursts of ``burst``."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Whether one more request of ``key`` is allowed now (and count it)."""
        with self.lock:
            now = self.clock()
            level, last = self.buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - last) * self.rate)
            if level < 1.0:
                self.buckets[key] = (level, now)
                return False
            self.buckets[key] = (level - 1.0, now)
            if len(self.buckets) > 10_000:  # forget the oldest (a flood of addresses)
                for old in sorted(self.buckets, key=lambda k: self.buckets[k][1])[:5_000]:
                    del self.buckets[old]
            return True


class Room:
    """The shared session of a room: seats, decisions, the vote and the replay, on the
    run of ``workshop`` (a :class:`~milieusim.workshop.session.Workshop` in single mode;
    the room pauses in compare mode)."""

    def __init__(
        self,
        workshop: Any,
        *,
        code: str | None = None,
        decision_weeks: int = DECISION_WEEKS,
        wait_seconds: float = WAIT_SECONDS,
        vote_weeks: int = VOTE_WEEKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workshop = workshop
        self.lock = workshop.lock  # one lock for the run and the room
        self.code = code or new_code()
        self.decision_weeks = int(decision_weeks)
        self.wait_seconds = float(wait_seconds)
        self.vote_weeks = int(vote_weeks)
        self.clock = clock
        self.seats: dict[str, Seat] = {}
        self.decisions: dict[int, Decision] = {}
        self.ballot: Ballot | None = None
        self.replay: list[ReplayEntry] = []
        self.waiting = False
        """Whether the play loop is waiting for a participant now (the page says so)."""
        self.version = 0
        """Bumped when anything the page or a phone shows changes."""
        self._model: Any = None
        self._held: set[int] = set()  # proposals already shown to a participant
        self._handed_back: dict[int, Innovation] = {}  # timed out: what did the model do?
        self._next_decision = 1
        self.join_url = ""
        """The address participants open (with the code), shown as a QR code."""
        workshop.room = self
        self._sync()

    # ------------------------------------------------------------------ the run
    @property
    def model(self) -> Any:
        """The shared run's model, or None when the room is paused (compare mode)."""
        ws = self.workshop
        if ws.mode != "single" or not ws.slots:
            return None
        return ws.slots[0].model

    def follow(self) -> None:
        """Catch up with the workshop's model now (the projected page calls it before
        showing the room, so a new scenario's page shows no vote of the previous run)."""
        with self.lock:
            self._sync()

    def _sync(self) -> Any:
        """Follow the workshop's model: on a new one (reset, scenario), the decisions,
        the vote and the replay start afresh; the managers' delegates are installed."""
        model = self.model
        if model is self._model:
            return model
        self._model = model
        self.decisions.clear()
        self._held.clear()
        self._handed_back.clear()
        self.ballot = None
        self.replay = []
        self.version += 1
        if model is not None:
            for seat in self.seats.values():
                self._install(seat)
        return model

    def _install(self, seat: Seat) -> None:
        model = self._model
        if model is None or seat.role != "manager":
            return
        head = model.manager_of_unit.get(seat.place)
        if head is not None:
            head.delegate = lambda k, unit=seat.place: self._take(unit, k)

    def _take(self, unit: int, k: Innovation) -> bool:
        """A manager's delegate: a new proposal of ``unit`` waits for its participant."""
        if k.id in self._held:
            return False  # handed back: the model's manager decides
        self._held.add(k.id)
        now = int(self._model.now)
        decision = Decision(self._next_decision, unit, k, now, now + self.decision_weeks)
        self._next_decision += 1
        self.decisions[decision.id] = decision
        self.version += 1
        return True

    # ------------------------------------------------------------------ seats
    def join(self, code: str, role: str, place: int | None = None) -> Seat:
        """Take a seat: ``role`` (one of :data:`ROLES`), at ``place`` or the first free one.
        Raises :class:`RoomError`."""
        if not secrets.compare_digest(str(code).strip().upper(), self.code):
            raise RoomError("code", 403)
        if role not in ROLES:
            raise RoomError("role", 400)
        with self.lock:
            model = self._sync()
            taken = {s.place for s in self.seats.values() if s.role == role}
            places = self.places(role, model)
            if place is None:
                free = [p for p in places if p not in taken]
                if not free:
                    raise RoomError("full", 409)
                place = free[0]
            elif place not in places:
                raise RoomError("role", 400)
            elif place in taken:
                raise RoomError("taken", 409)
            number = places.index(place) + 1
            seat = Seat(secrets.token_urlsafe(24), role, int(place), number, self.clock())
            self.seats[seat.token] = seat
            self._install(seat)
            self.version += 1
            return seat

    def places(self, role: str, model: Any = None) -> list[int]:
        """The seats of ``role``: one for the mayor and the DGS, one per unit for the
        managers, per marginal sécant, per partner (associations first)."""
        model = model if model is not None else self._model
        if role in ("mayor", "dgs"):
            return [-1]
        if model is None:
            return []
        if role == "manager":
            return sorted(model.manager_of_unit)
        if role == "secant":
            from milieusim.agents import StaffKind

            return [int(i) for i in (model.staff_kind == StaffKind.INNOVATOR).nonzero()[0]]
        if role == "partner":  # the associations (any partner if there is none)
            kinds = model.partner_kind
            found = [j for j, kind in enumerate(kinds) if kind == "associations"]
            return found or list(range(len(kinds)))
        return []

    def leave(self, token: str) -> None:
        """A participant leaves: their pending proposals go back to the model's rule."""
        with self.lock:
            seat = self.seat(token)
            del self.seats[token]
            if seat.role == "manager" and self._model is not None:
                head = self._model.manager_of_unit.get(seat.place)
                if head is not None:
                    head.delegate = None
                for decision in [d for d in self.decisions.values() if d.unit == seat.place]:
                    self._hand_back(decision)
            if self.ballot is not None:
                self.ballot.ballots.pop(token, None)
            self.version += 1

    def seat(self, token: str) -> Seat:
        """The seat of ``token``; raises :class:`RoomError` for an unknown one."""
        seat = self.seats.get(str(token))
        if seat is None:
            raise RoomError("token", 403)
        seat.last_seen = self.clock()
        return seat

    def _acting(self, token: str, lever: str) -> tuple[Seat, Any]:
        seat = self.seat(token)
        if lever not in LEVERS[seat.role]:
            raise RoomError("lever", 403)
        model = self._sync()
        if model is None:
            raise RoomError("paused", 409)
        return seat, model

    # ------------------------------------------------------------------ levers
    def decide_pilot(self, token: str, decision_id: int, approve: bool) -> ReplayEntry:
        """A unit's manager approves or refuses a proposal of their unit."""
        with self.lock:
            seat, model = self._acting(token, "pilot")
            decision = self.decisions.get(int(decision_id))
            if decision is not None and decision.unit != seat.place:
                raise RoomError("lever", 403)
            if decision is None or decision.idea.stage != Stage.PROPOSAL:
                raise RoomError("gone", 409)
            del self.decisions[decision.id]
            k = decision.idea
            if not approve:
                model.reject(k)
                effect: tuple[str, dict[str, Any]] = ("fx_rejected", {})
            elif model.can_fund(k, decision.unit):
                model.start_pilot(k)
                effect = ("fx_pilot_started", {"team": int(k.team.size)})
            else:
                self._give_back(k)
                effect = ("fx_no_budget", {})
            return self._record(seat, "approve" if approve else "refuse", idea_words(k), effect)

    def grant_derogation(self, token: str, idea_id: int, rule: int) -> ReplayEntry:
        """The mayor or the DGS frees a practice from a rule it collides with."""
        with self.lock:
            seat, model = self._acting(token, "derogation")
            found = {(k.id, r): k for k, r in self._derogable(seat, model)}
            k = found.get((int(idea_id), int(rule)))
            if k is None:
                raise RoomError("gone", 409)
            agent = model.rule_agents[int(rule)]
            before = float(agent.rigidity)
            agent.grant(k)
            effect = (
                "fx_derogation",
                {
                    "rule": self._rule_words(agent),
                    "before": lambda lang, v=before: fixed(v, lang),
                    "after": lambda lang, v=float(agent.rigidity): fixed(v, lang),
                },
            )
            return self._record(seat, "derogation", idea_words(k), effect)

    def bring_idea(self, token: str, idea_id: int) -> ReplayEntry:
        """A marginal sécant or a partner association puts forward an idea kept aside."""
        with self.lock:
            seat, model = self._acting(token, "idea")
            k = next((k for k in self._ideas(seat, model) if k.id == int(idea_id)), None)
            if k is None:
                raise RoomError("gone", 409)
            from milieusim.submodels import pilots

            pilots.propose(model, k)
            effect = ("fx_proposed", {"unit": lambda lang, u=k.unit: t("unit", lang, n=u + 1)})
            return self._record(seat, "idea", idea_words(k), effect)

    def vote(self, token: str, key: str) -> None:
        """A participant's ballot (they may change it while the vote is open)."""
        with self.lock:
            self._acting(token, "vote")
            if self.ballot is None:
                raise RoomError("no_vote", 409)
            if key not in self.ballot.options:
                raise RoomError("gone", 409)
            self.ballot.ballots[token] = key
            self.version += 1

    # ------------------------------------------------------------------ the trainer
    def open_vote(self, keys: Iterable[str] | None = None) -> Ballot:
        """The trainer puts the next intervention to the vote (by default every
        intervention of the page); it closes after ``vote_weeks`` weeks of the run, or
        once every participant has voted."""
        with self.lock:
            offered = [i.key for i in self.workshop.interventions()]  # the page's order
            wanted = set(keys) if keys is not None else set(offered)
            options = tuple(k for k in offered if k in wanted)
            if not options:
                raise ValueError("nothing to vote on")
            now = int(self.workshop.now)
            self.ballot = Ballot(options, now, now + self.vote_weeks)
            self.version += 1
            return self.ballot

    def close_vote(self) -> ReplayEntry | None:
        """Count the ballots and apply the winner (the mayor's choice breaks a tie, then
        the order of the options); None if no vote was open."""
        with self.lock:
            ballot, self.ballot = self.ballot, None
            if ballot is None:
                return None
            self.version += 1
            model = self._sync()
            counts = {key: 0 for key in ballot.options}
            for key in ballot.ballots.values():
                counts[key] += 1
            if model is None or not ballot.ballots:
                return self._record(None, "vote_none", None, ("fx_vote_none", {}))
            mayor = next(
                (ballot.ballots.get(s.token) for s in self.seats.values() if s.role == "mayor"),
                None,
            )
            best = max(counts.values())
            tied = [key for key in ballot.options if counts[key] == best]
            winner = mayor if mayor in tied else tied[0]
            chosen = next(i for i in self.workshop.interventions() if i.key == winner)
            before = dict(model.p)
            self.workshop.intervene(chosen)
            changes = [
                (name, before[name], model.p[name])
                for name in sorted(model.p)
                if model.p[name] != before[name]
            ]
            effect = (
                "fx_vote",
                {
                    "label": chosen.label,
                    "votes": best,
                    "ballots": len(ballot.ballots),
                    "changes": lambda lang, c=tuple(changes): _changes(c, lang),
                },
            )
            return self._record(None, "vote", None, effect)

    # ------------------------------------------------------------------ the play loop
    def gate(self, cancel: threading.Event) -> None:
        """Before the play loop steps: if a connected participant's decision is due, wait
        for it, up to ``wait_seconds`` (or until the loop is paused)."""
        started = self.clock()
        try:
            while not cancel.is_set():
                with self.lock:
                    waiting = self._due(connected=True)
                    self.waiting = bool(waiting)
                if not waiting or self.clock() - started >= self.wait_seconds:
                    return
                cancel.wait(0.05)
        finally:
            self.waiting = False

    def before_week(self) -> None:
        """Before the models step: due decisions go back to the model's rule; a vote
        whose time is up is counted."""
        with self.lock:
            if self._sync() is None:
                return
            for decision in self._due(connected=False):
                self._hand_back(decision)
            ballot = self.ballot
            if ballot is not None and (
                self.workshop.now >= ballot.due
                or (self.seats and len(ballot.ballots) >= len(self.seats))
            ):
                self.close_vote()

    def after_week(self) -> None:
        """After the models stepped: say what the model's rule did with the proposals
        handed back to it."""
        with self.lock:
            if self._sync() is None:
                return
            for k in [k for k in self._handed_back.values() if k.stage != Stage.PROPOSAL]:
                del self._handed_back[k.id]
                effect = {
                    Stage.EXPERIMENT: ("fx_pilot_started", {"team": int(k.team.size)}),
                    Stage.REJECTED: ("fx_rejected", {}),
                }.get(k.stage, ("fx_expired", {}))
                self._record(None, "model", idea_words(k), effect)

    def _due(self, *, connected: bool) -> list[Decision]:
        now = int(self.workshop.now)
        due = [d for d in self.decisions.values() if now >= d.due]
        if connected:
            present = {
                s.place
                for s in self.seats.values()
                if s.role == "manager" and self.clock() - s.last_seen < PRESENT_SECONDS
            }
            due = [d for d in due if d.unit in present]
        return due

    def _hand_back(self, decision: Decision) -> None:
        self.decisions.pop(decision.id, None)
        self._give_back(decision.idea)
        entry = ReplayEntry(
            int(self.workshop.now),
            "manager",
            decision.unit,
            "timeout",
            idea_words(decision.idea),
            ("fx_to_model", {}),
        )
        self.replay.append(entry)
        self.version += 1

    def _give_back(self, k: Innovation) -> None:
        head = self._model.manager_of_unit.get(k.unit)
        if head is not None and k.stage == Stage.PROPOSAL:
            head.receive(k)
            self._handed_back[k.id] = k

    def _record(
        self,
        seat: Seat | None,
        decision: str,
        subject: tuple[str, Mapping[str, Any]] | None,
        effect: tuple[str, Mapping[str, Any]],
    ) -> ReplayEntry:
        role = seat.role if seat else ("model" if decision == "model" else "room")
        entry = ReplayEntry(
            int(self.workshop.now),
            role,
            seat.place if seat else -1,
            decision,
            subject,
            effect,
            seat.number if seat else 1,
        )
        self.replay.append(entry)
        self.version += 1
        return entry

    # ------------------------------------------------------------------ what a phone sees
    def _derogable(self, seat: Seat, model: Any) -> list[tuple[Innovation, int]]:
        """(practice, rule) pairs this seat may derogate: practices still under way, rules
        they collide with that this role may set aside (the DGS internal rules and
        habits; the mayor also national rules under the experimentation law)."""
        seen: dict[int, Innovation] = {}
        for k in (
            *model.pilots,
            *model.spreading,
            *(k for head in model.managers for k in head.queue),
            *(d.idea for d in self.decisions.values()),
        ):
            if k.stage in ACTIVE and k.rules.size:
                seen.setdefault(k.id, k)
        out = []
        for k in sorted(seen.values(), key=lambda k: k.id):
            for r in k.rules.tolist():
                rule = model.rule_agents[r]
                if rule.kind == "external" and seat.role != "mayor":
                    continue
                if rule.derogable:
                    out.append((k, int(r)))
        return out

    def _ideas(self, seat: Seat, model: Any) -> list[Innovation]:
        """Ideas this seat kept aside (never proposed), the latest first."""
        if seat.role == "secant":
            mine = [k for k in model.innovations if k.originator == seat.place]
        else:
            mine = [k for k in model.innovations if k.partner == seat.place]
        return [k for k in reversed(mine) if k.stage == Stage.UNPROPOSED]

    def _rule_words(self, rule: Any) -> tuple[str, dict[str, Any]]:
        return ("rule", {"n": rule.index + 1, "kind": (f"rule_{rule.kind}", {})})

    def state(self, token: str, lang: str = "fr") -> dict[str, Any]:
        """What ``token``'s phone shows, in ``lang``: their role, the week, and each of
        their levers with what it can act on now."""
        lang = language(lang)
        with self.lock:
            seat = self.seat(token)
            model = self._sync()
            out: dict[str, Any] = {
                "role": seat.role,
                "label": seat.label(lang),
                "week": int(self.workshop.now),
                "paused": model is None,
                "levers": sorted(LEVERS[seat.role]),
                "lever_labels": {lv: rt(f"lever_{lv}", lang) for lv in LEVERS[seat.role]},
                "version": self.version,
            }
            if model is None:
                return out
            if seat.role == "manager":
                out["pilots"] = [
                    {
                        "id": d.id,
                        "label": _words(idea_words(d.idea), lang),
                        "weeks_left": max(d.due - int(model.now), 0),
                    }
                    for d in sorted(self.decisions.values(), key=lambda d: d.id)
                    if d.unit == seat.place
                ]
            if "derogation" in LEVERS[seat.role]:
                out["derogations"] = [
                    {
                        "idea": k.id,
                        "rule": r,
                        "label": f"{_words(idea_words(k), lang)} · "
                        f"{_words(self._rule_words(model.rule_agents[r]), lang)}",
                    }
                    for k, r in self._derogable(seat, model)[:SHOWN]
                ]
            if "idea" in LEVERS[seat.role]:
                out["ideas"] = [
                    {"id": k.id, "label": _words(idea_words(k), lang)}
                    for k in self._ideas(seat, model)[:SHOWN]
                ]
            ballot = self.ballot
            if ballot is not None:
                labels = {i.key: i.label(lang) for i in self.workshop.interventions()}
                out["vote"] = {
                    "options": [{"key": k, "label": labels.get(k, k)} for k in ballot.options],
                    "mine": ballot.ballots.get(token),
                    "weeks_left": max(ballot.due - int(model.now), 0),
                }
            return out

    # ------------------------------------------------------------------ the projected page
    def counts(self) -> dict[str, int]:
        """Participants by role."""
        with self.lock:
            out = dict.fromkeys(ROLES, 0)
            for seat in self.seats.values():
                out[seat.role] += 1
            return out

    def replay_rows(self, lang: str) -> list[tuple[int, str, str, str, str]]:
        """The replay, in ``lang``: (week, role, decision, subject, effect)."""
        with self.lock:
            return [entry.row(lang) for entry in self.replay]

    def replay_csv(self, lang: str) -> bytes:
        """The replay as CSV, in ``lang`` (the debrief's table of who decided what)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                rt(k, lang)
                for k in (
                    "replay_week",
                    "replay_role",
                    "replay_decision",
                    "replay_subject",
                    "replay_effect",
                )
            ]
        )
        writer.writerows(self.replay_rows(lang))
        return out.getvalue().encode("utf-8")


def _changes(changes: tuple[tuple[str, Any, Any], ...], lang: str) -> str:
    """'Inertia 0.80 → 0.50; …' in ``lang``."""
    if not changes:
        return rt("fx_nothing", lang)

    def shown(value: Any) -> str:
        return fixed(value, lang) if isinstance(value, float) else str(value)

    return (" ; " if language(lang) == "fr" else "; ").join(
        f"{param_label(n, lang, unit=False, short=True)} {shown(a)} → {shown(b)}"
        for n, a, b in changes
    )


_ROOM: Room | None = None
_ROOM_LOCK = threading.Lock()
_ROOM_FACTORY: Callable[[], Room] | None = None


def set_room_factory(factory: Callable[[], Room] | None) -> None:
    """Room mode on (``factory`` builds the room on first use) or off (None)."""
    global _ROOM, _ROOM_FACTORY
    with _ROOM_LOCK:
        _ROOM_FACTORY, _ROOM = factory, None


def current_room() -> Room | None:
    """The server's room (built on first use), or None when room mode is off."""
    global _ROOM
    with _ROOM_LOCK:
        if _ROOM is None and _ROOM_FACTORY is not None:
            _ROOM = _ROOM_FACTORY()
        return _ROOM
