"""The participants' side of room mode: one small phone page and its JSON endpoints,
served by the workshop's own server in front of Solara (no Solara, no CDN, no outside
request: the page is one HTML document with its style and script inline).

* ``GET /room`` — the phone page (``?code=`` fills the join code; ``?lang=en``);
* ``POST /room/api/join`` ``{code, role, place?}`` — a seat and its token;
* ``GET /room/api/state`` — what the participant's levers can act on now;
* ``POST /room/api/pilot`` ``{decision, approve}``, ``/derogation`` ``{idea, rule}``,
  ``/idea`` ``{idea}``, ``/vote`` ``{key}``, ``/leave`` — the levers.

The token travels in the ``X-Room-Token`` header. A POST must carry a JSON body and no
``Origin`` other than this server's (a page of another site cannot post here), requests
are bounded per token and per client address, and in room mode every other path (the
projected page, with the trainer's controls) is answered only to this machine: no admin
action from a phone.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from milieusim.text import language
from milieusim.workshop.i18n import STRINGS
from milieusim.workshop.room import (
    LEVERS,
    ROLES,
    RateLimiter,
    Room,
    RoomError,
    current_room,
    role_title,
    rt,
    set_room_factory,
)
from milieusim.workshop.server import client_host, is_loopback, same_origin

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

PREFIX = "/room"
MAX_BODY = 4096
"""Bytes a request body may have."""
PER_TOKEN = RateLimiter(rate=4.0, burst=12.0)
"""A participant: four requests a second (bursts of twelve)."""
PER_CLIENT = RateLimiter(rate=60.0, burst=120.0)
"""A client address (a phone, or several behind one address): sixty a second."""
JOINS = RateLimiter(rate=0.5, burst=40.0)
"""Joins (and wrong codes) per client address."""


def room_mode(options: dict[str, Any], join_url: str) -> Callable[[Any], RoomApp]:
    """Room mode on: the shared session (a :class:`~milieusim.workshop.room.Room` with
    ``options``) is built when the first page or phone asks; returns the middleware for
    :func:`~milieusim.workshop.server.serve`."""

    def build() -> Room:
        from milieusim.workshop.app import new_workshop

        made = Room(new_workshop(shared=False), **options)
        made.join_url = join_url
        return made

    set_room_factory(build)
    return lambda app: RoomApp(app, current_room)


class RoomApp:
    """ASGI middleware: ``/room…`` is the participants' side; in room mode any other path
    is for this machine only (the trainer's projected page)."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        room: Callable[[], Room | None],
    ) -> None:
        self.app = app
        self.room = room

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        path = str(scope.get("path", ""))
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if path == PREFIX or path.startswith(PREFIX + "/"):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.handle(scope, receive, send, path)
            return
        if not is_loopback(client_host(scope)):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _answer(
                send,
                403,
                "This address is the trainer's screen. Participants: open /room\n"
                "Cette adresse est l'écran de l'animateur. Participants : ouvrez /room\n".encode(),
                "text/plain; charset=utf-8",
            )
            return
        await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        client = client_host(scope)
        query = _query(scope)
        lang = language(query.get("lang") or _header(scope, b"x-room-lang") or "fr")
        if not PER_CLIENT.allow(client):
            await _json(send, 429, {"error": rt("err_rate", lang)})
            return
        method = scope.get("method", "GET")
        if path in (PREFIX, PREFIX + "/") and method in ("GET", "HEAD"):
            await _answer(send, 200, PHONE_PAGE.encode(), "text/html; charset=utf-8")
            return
        room = self.room()
        if room is None:
            await _json(send, 404, {"error": "room mode is off"})
            return
        action = path[len(PREFIX + "/api/") :] if path.startswith(PREFIX + "/api/") else ""
        if method == "GET" and action == "state":
            await self.call(send, scope, lang, lambda token, _body: room.state(token, lang))
            return
        if method == "GET" and action == "roles":
            await _json(send, 200, _roles(lang))
            return
        if method != "POST" or (action not in ACTIONS and action != "join"):
            await _json(send, 404, {"error": "not found"})
            return
        if not same_origin(scope) or not _header(scope, b"content-type").startswith(
            "application/json"
        ):
            await _json(send, 403, {"error": "cross-site request refused"})
            return
        body = await _body(receive)
        if body is None:
            await _json(send, 413, {"error": "request too large"})
            return
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            await _json(send, 400, {"error": "not JSON"})
            return
        if action == "join":
            if not JOINS.allow(client):
                await _json(send, 429, {"error": rt("err_rate", lang)})
                return
            try:
                place = data.get("place")
                seat = await _in_thread(
                    room.join,
                    str(data.get("code", "")),
                    str(data.get("role", "")),
                    None if place in (None, "") else int(place),
                )
            except RoomError as exc:
                await _json(send, exc.status, {"error": exc.label(lang)})
                return
            except (TypeError, ValueError):
                await _json(send, 400, {"error": rt("err_role", lang)})
                return
            await _json(
                send, 200, {"token": seat.token, "role": seat.role, "label": seat.label(lang)}
            )
            return
        lever = ACTIONS[action]
        await self.call(send, scope, lang, lambda token, b: lever(room, token, b, lang), data)

    async def call(
        self,
        send: Send,
        scope: Scope,
        lang: str,
        act: Callable[[str, dict[str, Any]], Any],
        body: dict[str, Any] | None = None,
    ) -> None:
        token = _header(scope, b"x-room-token")
        if not token or not PER_TOKEN.allow(token):
            status, error = (403, "err_token") if not token else (429, "err_rate")
            await _json(send, status, {"error": rt(error, lang)})
            return
        try:
            answer = await _in_thread(act, token, body or {})
        except RoomError as exc:
            await _json(send, exc.status, {"error": exc.label(lang)})
            return
        except (TypeError, ValueError, KeyError):
            await _json(send, 400, {"error": "bad request"})
            return
        await _json(send, 200, answer if isinstance(answer, dict) else {"ok": True})


def _entry(answer: Any, lang: str) -> dict[str, Any]:
    week, who, decision, subject, effect = answer.row(lang)
    return {"ok": True, "week": week, "decision": decision, "subject": subject, "effect": effect}


def _done(lever: Callable[..., None], *args: Any) -> dict[str, Any]:
    lever(*args)
    return {"ok": True}


ACTIONS: dict[str, Callable[[Room, str, dict[str, Any], str], Any]] = {
    "pilot": lambda room, token, b, lang: _entry(
        room.decide_pilot(token, int(b["decision"]), bool(b["approve"])), lang
    ),
    "derogation": lambda room, token, b, lang: _entry(
        room.grant_derogation(token, int(b["idea"]), int(b["rule"])), lang
    ),
    "idea": lambda room, token, b, lang: _entry(room.bring_idea(token, int(b["idea"])), lang),
    "vote": lambda room, token, b, lang: _done(room.vote, token, str(b["key"])),
    "leave": lambda room, token, b, lang: _done(room.leave, token),
}
"""The levers a phone may pull (each checked against the token's role by the room)."""


def _roles(lang: str) -> dict[str, Any]:
    return {
        "roles": [
            {
                "role": role,
                "label": role_title(role, lang),
                "levers": [rt(f"lever_{lv}", lang) for lv in sorted(LEVERS[role])],
            }
            for role in ROLES
        ]
    }


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(function, *args)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1").strip())
    return ""


def _query(scope: Scope) -> dict[str, str]:
    from urllib.parse import parse_qs

    raw = scope.get("query_string", b"").decode("latin-1")
    return {k: v[0] for k, v in parse_qs(raw).items() if v}


async def _body(receive: Receive) -> bytes | None:
    """The request body, or None if it is longer than :data:`MAX_BODY`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _json(send: Send, status: int, data: Any) -> None:
    await _answer(send, status, json.dumps(data, ensure_ascii=False).encode(), "application/json")


async def _answer(send: Send, status: int, body: bytes, kind: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer"),
                (
                    b"content-security-policy",
                    b"default-src 'none'; script-src 'unsafe-inline'; "
                    b"style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; "
                    b"form-action 'none'; frame-ancestors 'none'",
                ),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


PHONE_TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>milieusim · salle</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; padding: 12px; font-size: 18px;
  background: #f4f6fa; color: #1a1a1a; }
h1 { font-size: 22px; margin: 4px 0 10px; color: #0b3d91; }
h2 { font-size: 19px; margin: 18px 0 6px; }
.card { background: #fff; border-radius: 10px; padding: 10px 12px; margin: 8px 0;
  box-shadow: 0 1px 3px rgba(0,0,0,.15); }
button, select, input { font-size: 18px; padding: 10px 12px; border-radius: 8px;
  border: 1px solid #888; margin: 4px 4px 4px 0; }
button { background: #0b3d91; color: #fff; border: none; min-height: 48px; }
button.no { background: #8a1c1c; }
button.chosen { background: #1b7a3a; }
.note { color: #555; font-size: 15px; }
.err { color: #8a1c1c; font-weight: 600; }
.ok { color: #1b7a3a; font-weight: 600; }
#lang { float: right; background: #555; min-height: 36px; padding: 4px 10px; }
</style></head>
<body>
<button id="lang" type="button"></button>
<h1 id="title"></h1>
<div id="join" class="card">
  <label><span id="t-code"></span><br><input id="code" autocomplete="off" maxlength="8"
   style="text-transform: uppercase; width: 7em"></label><br>
  <label><span id="t-role"></span><br><select id="role"></select></label><br>
  <button id="go" type="button"></button>
  <div id="join-msg" class="err"></div>
</div>
<div id="play" hidden>
  <div class="card"><b id="me"></b><div class="note" id="week"></div></div>
  <div id="levers"></div>
  <div id="msg"></div>
  <p><button id="leave" type="button" class="no"></button></p>
</div>
<script>
"use strict";
const W = __WORDS__;
const params = new URLSearchParams(location.search);
let lang = params.get("lang") === "en" ? "en" : "fr";
let token = sessionStorage.getItem("room-token") || "";
let shown = "";
const $ = (id) => document.getElementById(id);
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
async function api(path, body) {
  const opts = {headers: {"X-Room-Token": token, "X-Room-Lang": lang}};
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch("/room/api/" + path + "?lang=" + lang, opts);
  let data = {};
  try { data = await r.json(); } catch (e) { data = {error: String(r.status)}; }
  return {status: r.status, data: data};
}
function words() {
  const w = W[lang];
  document.documentElement.lang = lang;
  $("title").textContent = w.title; $("t-code").textContent = w.code;
  $("t-role").textContent = w.role; $("go").textContent = w.go;
  $("leave").textContent = w.leave; $("lang").textContent = w.other;
}
async function roles() {
  const r = await api("roles");
  const sel = $("role"); sel.textContent = "";
  for (const x of (r.data.roles || [])) {
    sel.appendChild(el("option", {value: x.role}, x.label + " — " + x.levers.join(" · ")));
  }
}
async function join() {
  const r = await api("join", {code: $("code").value.trim().toUpperCase(), role: $("role").value});
  if (r.status !== 200) { $("join-msg").textContent = r.data.error || r.status; return; }
  token = r.data.token; sessionStorage.setItem("room-token", token);
  $("join").hidden = true; $("play").hidden = false; shown = ""; refresh();
}
function say(text, ok) {
  $("msg").textContent = ""; $("msg").appendChild(el("p", {class: ok ? "ok" : "err"}, text));
}
async function act(path, body) {
  const r = await api(path, body);
  if (r.status === 200) {
    say(r.data.effect ? r.data.subject + " : " + r.data.effect : "✓", true);
  } else { say(r.data.error || String(r.status), false); }
  shown = ""; refresh();
}
function section(title, cls) {
  const d = el("div", {class: "card " + cls}); d.appendChild(el("h2", {}, title)); return d;
}
function render(s) {
  const w = W[lang];
  $("me").textContent = s.label;
  $("week").textContent = w.week + " " + s.week + (s.paused ? " · " + w.paused : "");
  const box = $("levers"); box.textContent = "";
  if (s.pilots !== undefined) {
    const d = section(s.lever_labels.pilot, "lever-pilot");
    if (!s.pilots.length) d.appendChild(el("p", {class: "note"}, w.none));
    for (const p of s.pilots) {
      const row = el("div", {class: "pilot", "data-id": p.id});
      row.appendChild(el("div", {}, p.label + " · " + p.weeks_left + " " + w.left));
      const a = el("button", {type: "button", class: "approve"}, w.approve);
      a.onclick = () => act("pilot", {decision: p.id, approve: true});
      const b = el("button", {type: "button", class: "no refuse"}, w.refuse);
      b.onclick = () => act("pilot", {decision: p.id, approve: false});
      row.appendChild(a); row.appendChild(b); d.appendChild(row);
    }
    box.appendChild(d);
  }
  if (s.derogations !== undefined) {
    const d = section(s.lever_labels.derogation, "lever-derogation");
    if (!s.derogations.length) d.appendChild(el("p", {class: "note"}, w.none));
    for (const x of s.derogations) {
      const row = el("div", {class: "derogation"});
      row.appendChild(el("div", {}, x.label));
      const a = el("button", {type: "button", class: "grant"}, w.grant);
      a.onclick = () => act("derogation", {idea: x.idea, rule: x.rule});
      row.appendChild(a); d.appendChild(row);
    }
    box.appendChild(d);
  }
  if (s.ideas !== undefined) {
    const d = section(s.lever_labels.idea, "lever-idea");
    if (!s.ideas.length) d.appendChild(el("p", {class: "note"}, w.none));
    for (const x of s.ideas) {
      const row = el("div", {class: "idea"});
      row.appendChild(el("div", {}, x.label));
      const a = el("button", {type: "button", class: "bring"}, w.bring);
      a.onclick = () => act("idea", {idea: x.id});
      row.appendChild(a); d.appendChild(row);
    }
    box.appendChild(d);
  }
  const v = section(s.lever_labels.vote, "lever-vote");
  if (!s.vote) v.appendChild(el("p", {class: "note"}, w.none));
  else {
    v.appendChild(el("p", {class: "note"}, s.vote.weeks_left + " " + w.left));
    for (const o of s.vote.options) {
      const cls = "option" + (o.key === s.vote.mine ? " chosen" : "");
      const a = el("button", {type: "button", class: cls, "data-key": o.key}, o.label);
      a.onclick = () => act("vote", {key: o.key});
      v.appendChild(a);
    }
  }
  box.appendChild(v);
}
async function refresh() {
  if (!token) return;
  const r = await api("state");
  if (r.status === 403) { token = ""; sessionStorage.removeItem("room-token");
    $("play").hidden = true; $("join").hidden = false; return; }
  if (r.status !== 200) return;
  const key = JSON.stringify(r.data);
  if (key !== shown) { shown = key; render(r.data); }
}
$("go").onclick = join;
$("leave").onclick = async () => { await api("leave", {}); token = "";
  sessionStorage.removeItem("room-token"); $("play").hidden = true; $("join").hidden = false; };
$("lang").onclick = () => {
  lang = lang === "fr" ? "en" : "fr"; words(); roles(); shown = ""; refresh();
};
$("code").value = (params.get("code") || "").toUpperCase();
words(); roles();
if (token) { $("join").hidden = true; $("play").hidden = false; refresh(); }
setInterval(refresh, 1000);
</script>
</body></html>
"""
"""The phone page: join with the code and a role, then the role's levers (polled); its
words (``__WORDS__``) are the workshop's strings ``room_phone_…``."""

PHONE_WORDS: tuple[str, ...] = (
    *("title", "code", "role", "go", "week", "approve", "refuse", "grant", "bring"),
    *("vote", "none", "left", "paused", "leave", "voted", "other"),
)
"""The phone page's words (``room_phone_<word>``)."""


def phone_page() -> str:
    """The phone page, with its words in French and English from
    :data:`~milieusim.workshop.i18n.STRINGS`."""
    words = {
        lang: {key: STRINGS[f"room_phone_{key}"][lang] for key in PHONE_WORDS}
        for lang in ("fr", "en")
    }
    text = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    return PHONE_TEMPLATE.replace("__WORDS__", text)


PHONE_PAGE = phone_page()
"""The phone page, as served."""
