"""Room mode without a browser (issue 18 item 9): roles and their levers, tokens that
cannot move another role's lever, decisions that reach the model, timeouts that fall
back to the model's rule, the vote, the replay, and the phone endpoints' checks."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from milieusim.innovation import Stage
from milieusim.scenario import shipped_scenarios
from milieusim.submodels import pilots
from milieusim.workshop.room import (
    CODE_ALPHABET,
    LEVERS,
    RateLimiter,
    Room,
    RoomError,
    new_code,
)
from milieusim.workshop.session import Workshop

pytestmark = pytest.mark.slow  # each test builds and steps an organisation


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Any]:
    return {s.name: s for s in shipped_scenarios() if not s.name.startswith("docking/")}


def room_of(scenarios: dict[str, Any], **options: Any) -> Room:
    ws = Workshop(scenarios, "default", n_staff=150)
    options.setdefault("wait_seconds", 0.0)
    return Room(ws, **options)


def proposal_for(room: Room) -> Any:
    """Step until some idea was kept aside, then put it forward (the room's delegate for
    its unit takes it at the manager's next review)."""
    ws = room.workshop
    model = ws.slots[0].model
    for _ in range(200):
        kept = [k for k in model.innovations if k.stage == Stage.UNPROPOSED]
        if kept:
            with ws.lock:
                pilots.propose(model, kept[-1])
            ws.step()
            return kept[-1]
        ws.step()
    raise AssertionError("no idea kept aside within 200 weeks")


def managers(room: Room) -> dict[int, Any]:
    """A participant in every unit manager's seat, by unit."""
    return {u: room.join(room.code, "manager", u) for u in room.places("manager")}


def test_join_codes_are_short_and_readable() -> None:
    codes = {new_code() for _ in range(50)}
    assert all(len(c) == 4 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(codes) > 40  # drawn, not fixed


def test_roles_seats_and_tokens(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios)
    with pytest.raises(RoomError) as wrong:
        room.join("ZZZZ" if room.code != "ZZZZ" else "YYYY", "mayor")
    assert wrong.value.key == "code"
    with pytest.raises(RoomError) as unknown:
        room.join(room.code, "emperor")
    assert unknown.value.key == "role"
    mayor = room.join(room.code.lower(), "mayor")  # the code is read in any case
    with pytest.raises(RoomError) as full:
        room.join(room.code, "mayor")
    assert full.value.key == "full"
    managers = [room.join(room.code, "manager") for _ in range(10)]
    assert sorted(s.place for s in managers) == list(range(10))
    with pytest.raises(RoomError):
        room.join(room.code, "manager")  # one per unit
    secant = room.join(room.code, "secant")
    model = room.workshop.slots[0].model
    assert model.staff_kind[secant.place] == 1  # a marginal sécant of the model
    partner = room.join(room.code, "partner")
    assert model.partner_kind[partner.place] == "associations"
    tokens = [s.token for s in room.seats.values()]
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 32 for t in tokens)
    assert mayor.label("fr") == "Maire" and managers[2].label("en") == "Manager of unit U3"
    assert room.state(secant.token, "en")["levers"] == sorted(LEVERS["secant"])
    with pytest.raises(RoomError) as bad:
        room.state("not-a-token")
    assert bad.value.key == "token"


def test_a_token_cannot_move_another_roles_lever(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios, decision_weeks=20)
    seats = managers(room)
    secant = room.join(room.code, "secant")
    mayor = room.join(room.code, "mayor")
    k = proposal_for(room)
    decision = next(d for d in room.decisions.values() if d.idea is k)
    assert decision.unit == k.unit
    u0, u1 = seats[k.unit], seats[(k.unit + 1) % len(seats)]
    for intruder in (u1, secant, mayor):  # another unit's manager, other roles
        with pytest.raises(RoomError) as refused:
            room.decide_pilot(intruder.token, decision.id, True)
        assert refused.value.key == "lever"
    with pytest.raises(RoomError):
        room.bring_idea(u0.token, k.id)  # a manager brings no idea
    with pytest.raises(RoomError):
        room.grant_derogation(secant.token, k.id, 0)  # a sécant grants no derogation
    assert k.stage == Stage.PROPOSAL and decision.id in room.decisions  # untouched
    room.decide_pilot(u0.token, decision.id, False)
    assert k.stage == Stage.REJECTED
    with pytest.raises(RoomError) as gone:
        room.decide_pilot(u0.token, decision.id, True)  # decided once
    assert gone.value.key == "gone"


def test_an_approval_reaches_the_model_and_the_replay(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios, decision_weeks=20)
    seats = managers(room)
    k = proposal_for(room)
    u, seat = k.unit, seats[k.unit]
    model = room.workshop.slots[0].model
    running = int(model.pilots_running[u])
    assert k not in model.manager_of_unit[u].queue  # the participant decides, not the model
    pilot = next(p for p in room.state(seat.token, "fr")["pilots"] if f"n° {k.id} " in p["label"])
    entry = room.decide_pilot(seat.token, pilot["id"], True)
    if entry.effect[0] == "fx_pilot_started":
        assert k.stage == Stage.EXPERIMENT and k in model.pilots
        assert model.pilots_running[u] == running + 1
    else:  # no budget or no room: back to the manager's rule
        assert entry.effect[0] == "fx_no_budget" and k in model.manager_of_unit[u].queue
    week, who, decision, subject, effect = room.replay_rows("fr")[-1]
    assert (week, who, decision) == (
        model.now,
        f"Encadrant·e du service S{u + 1}",
        "accepte le pilote",
    )
    assert f"idée n° {k.id}" in subject and effect
    assert room.replay_rows("en")[-1][2] == "approves the pilot"


def test_a_decision_not_taken_falls_back_to_the_models_rule(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios, decision_weeks=2, wait_seconds=0.0)
    managers(room)
    k = proposal_for(room)
    ws = room.workshop
    opened = ws.now

    def held() -> bool:
        return any(d.idea is k for d in room.decisions.values())

    while ws.now < opened + 2:
        ws.step()
    assert held()  # still the participant's
    ws.step()  # due: handed back before this week's review
    assert not held()
    rows = [r for r in room.replay_rows("en") if r[3].startswith(f"idea no. {k.id} ")]
    assert rows[0][2] == "does not decide in time" and rows[0][4].startswith("handed back")
    for _ in range(40):
        if k.stage != Stage.PROPOSAL:
            break
        ws.step()
    assert k.stage != Stage.PROPOSAL  # the model's manager decided (or it expired)
    last = [r for r in room.replay_rows("en") if r[3].startswith(f"idea no. {k.id} ")][-1]
    assert last[1] == "The model" and last[2] == "decides by its rule"
    with ws.lock:
        assert k.id in room._held  # never taken again by the delegate


def test_the_play_loop_waits_for_a_connected_participant_then_times_out(
    scenarios: dict[str, Any],
) -> None:
    room = room_of(scenarios, decision_weeks=0, wait_seconds=0.3)
    managers(room)
    k = proposal_for(room)
    decision = next(d for d in room.decisions.values() if d.idea is k)
    cancel = threading.Event()
    room.gate(cancel)  # waits (the participant is connected), then gives up
    assert decision.id in room.decisions and not room.waiting
    cancel.set()
    room.gate(cancel)  # a pause never waits
    room.workshop.step()
    assert decision.id not in room.decisions  # the model's rule took it


def test_the_vote_applies_the_winner_through_the_one_door(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios)
    mayor = room.join(room.code, "mayor")
    dgs = room.join(room.code, "dgs")
    options = [i.key for i in room.workshop.interventions()][:2]
    with pytest.raises(RoomError) as closed:
        room.vote(mayor.token, options[0])
    assert closed.value.key == "no_vote"
    room.open_vote(options)
    room.vote(dgs.token, options[0])
    room.vote(mayor.token, options[1])  # one each: the mayor's choice breaks the tie
    with pytest.raises(RoomError):
        room.vote(mayor.token, "not-an-option")
    model = room.workshop.slots[0].model
    chosen = next(i for i in room.workshop.interventions() if i.key == options[1])
    expected = chosen.changes(model.p)
    room.workshop.step()  # everyone voted: counted before the week
    assert room.ballot is None
    assert all(model.p[n] == v for n, v in expected.items())
    assert room.workshop.slots[0].log[-1].what == chosen  # in the page's event log too
    row = room.replay_rows("en")[-1]
    assert row[1] == "The room (vote)" and row[4].startswith(f"{chosen.label('en')} (1 of 2")
    room.open_vote(options)
    room.close_vote()
    assert room.replay_rows("fr")[-1][2] == "personne n'a voté"


def test_ideas_and_derogations(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios, decision_weeks=50)
    dgs = room.join(room.code, "dgs")
    ws = room.workshop
    model = ws.slots[0].model
    secants = [room.join(room.code, "secant") for _ in range(len(room.places("secant")))]
    brought = None
    for _ in range(150):
        ws.step()
        for seat in secants:
            ideas = room.state(seat.token)["ideas"]
            if ideas:
                brought = ideas[0]["id"]
                room.bring_idea(seat.token, brought)
                break
        if brought is not None:
            break
    assert brought is not None, "no marginal sécant kept an idea aside in 150 weeks"
    k = next(k for k in model.innovations if k.id == brought)
    assert k.stage == Stage.PROPOSAL and k in model.manager_of_unit[k.unit].queue
    with pytest.raises(RoomError):
        room.bring_idea(secants[0].token, brought)  # only once
    granted = None
    for _ in range(150):
        options = room.state(dgs.token)["derogations"]
        if options:
            granted = options[0]
            break
        ws.step()
    assert granted is not None, "no practice bound by a rule in 150 weeks"
    rule = model.rule_agents[granted["rule"]]
    assert rule.kind != "external"  # national rules are the mayor's (and the law's)
    before, count = rule.rigidity, model.counters["derogations"]
    room.grant_derogation(dgs.token, granted["idea"], granted["rule"])
    practice = next(k for k in model.innovations if k.id == granted["idea"])
    assert granted["rule"] not in practice.rules.tolist()
    assert rule.rigidity <= before and model.counters["derogations"] == count + 1
    csv_text = room.replay_csv("fr").decode()
    assert csv_text.startswith("semaine,rôle,décision,objet,effet\n")
    assert "apporte une idée" in csv_text and "accorde une dérogation" in csv_text


def test_a_new_run_starts_the_room_afresh(scenarios: dict[str, Any]) -> None:
    room = room_of(scenarios, decision_weeks=20)
    seat = room.join(room.code, "manager", 0)
    room.join(room.code, "manager", 1)
    model = room.workshop.slots[0].model
    room.workshop.step()
    room.leave(seat.token)
    assert model.manager_of_unit[0].delegate is None  # left: the model's manager again
    seat = room.join(room.code, "manager", 0)
    room.open_vote()
    room.workshop.reset()
    room.follow()  # what the projected page does before showing the room
    assert room.ballot is None and room.replay == []
    assert room.state(seat.token)["pilots"] == []
    model = room.workshop.slots[0].model
    assert model.manager_of_unit[0].delegate is not None
    assert model.manager_of_unit[2].delegate is None
    room.workshop.set_mode("compare")
    assert room.state(seat.token)["paused"] is True
    with pytest.raises(RoomError) as paused:
        room.decide_pilot(seat.token, 1, True)
    assert paused.value.key == "paused"


def test_rate_limits_per_key() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3.0, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another key has its own bucket
    now[0] += 0.5  # one more request's worth
    assert limiter.allow("a") and not limiter.allow("a")


# --------------------------------------------------------------------- the phone endpoints
def request(
    app: Any,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str = "",
    client: str = "127.0.0.1",
    origin: bytes | None = None,
    kind: bytes = b"application/json",
) -> tuple[int, Any]:
    sent: list[dict[str, Any]] = []
    data = json.dumps(body).encode() if body is not None else b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"127.0.0.1:8765"), (b"content-type", kind)]
    if token:
        headers.append((b"x-room-token", token.encode()))
    if origin is not None:
        headers.append((b"origin", origin))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"lang=en",
        "headers": headers,
        "client": (client, 40000),
    }
    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    payload = sent[1]["body"]
    kind_sent = dict(sent[0]["headers"])[b"content-type"]
    return status, json.loads(payload) if kind_sent == b"application/json" else payload


def test_the_phone_endpoints_check_origin_token_role_and_client(
    scenarios: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from milieusim.workshop import room_web

    room = room_of(scenarios, decision_weeks=20)
    passed: list[str] = []

    async def solara(scope: dict[str, Any], receive: Any, send: Any) -> None:
        passed.append(scope["path"])
        await room_web._answer(send, 200, b"page", "text/html")

    app = room_web.RoomApp(solara, lambda: room)
    status, page = request(app, "GET", "/room", client="192.0.2.9")
    assert status == 200 and b"/room/api/" in page and b"http" not in page.split(b"<script>")[1]
    assert request(app, "GET", "/", client="192.0.2.9")[0] == 403  # the trainer's page
    assert request(app, "GET", "/", client="127.0.0.1")[0] == 200 and passed == ["/"]
    status, joined = request(app, "POST", "/room/api/join", {"code": room.code, "role": "secant"})
    assert status == 200
    secant = joined["token"]
    tokens = [
        request(app, "POST", "/room/api/join", {"code": room.code, "role": "manager"})[1]["token"]
        for _ in room.places("manager")
    ]
    wrong = request(app, "POST", "/room/api/join", {"code": "????", "role": "mayor"})
    assert wrong == (403, {"error": "Unknown code."})
    k = proposal_for(room)
    decision = next(d.id for d in room.decisions.values() if d.idea is k)
    manager = {"token": next(t for t in tokens if room.seats[t].place == k.unit)}
    steal = request(
        app, "POST", "/room/api/pilot", {"decision": decision, "approve": True}, token=secant
    )
    assert steal == (403, {"error": "This lever is not your role's."})
    assert request(app, "GET", "/room/api/state", token="forged")[0] == 403
    cross = request(
        app,
        "POST",
        "/room/api/vote",
        {"key": "x"},
        token=secant,
        origin=b"http://evil.example",
    )
    assert cross[0] == 403 and "cross-site" in cross[1]["error"]
    form = request(app, "POST", "/room/api/vote", {"key": "x"}, token=secant, kind=b"text/plain")
    assert form[0] == 403
    assert decision in room.decisions  # nothing moved
    ok = request(
        app,
        "POST",
        "/room/api/pilot",
        {"decision": decision, "approve": False},
        token=manager["token"],
    )
    assert ok[0] == 200 and ok[1]["effect"] == "proposal refused"
    still = RateLimiter(rate=4.0, burst=12.0, clock=lambda: 0.0)  # no time passes
    monkeypatch.setattr(room_web, "PER_TOKEN", still)
    statuses = [request(app, "GET", "/room/api/state", token=secant)[0] for _ in range(14)]
    assert statuses == [200] * 12 + [429] * 2  # a participant's requests are bounded
    assert request(app, "GET", "/room/api/state", token=manager["token"])[0] == 200
