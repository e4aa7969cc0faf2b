"""Room mode on the projected page: the QR code and the short code to join, who is in the
room, the vote on the next intervention, and the replay of who decided what (with its
CSV for the debrief). The room itself is :class:`~milieusim.workshop.room.Room`.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

import solara

from milieusim.workshop.room import ROLES, Room, role_title, rt

CSS = """
.ms-room { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap;
    background: #f3f7ee !important; border-left: 6px solid #1b7a3a; padding: 6px 12px; }
.ms-room-qr svg { width: 150px; height: 150px; display: block; }
.ms-room-code { font-size: 44px; font-weight: 800; letter-spacing: 6px; color: #1b7a3a;
    font-family: monospace; line-height: 1.1; }
.ms-room-url { font-size: 17px; }
.ms-room-counts { font-size: 16px; }
.ms-room-waiting { font-size: 18px; font-weight: 700; color: #b34700; }
.ms-replay { max-height: 190px; overflow-y: auto; font-size: 16px; }
.ms-replay table { border-collapse: collapse; }
.ms-replay td, .ms-replay th { padding: 1px 8px; text-align: left; vertical-align: top; }
.ms-room-line { display: flex; gap: 8px; align-items: center; flex-wrap: nowrap;
    padding: 0 10px; border-left-width: 4px; white-space: nowrap;
    flex: 1 1 0; min-width: 0; overflow: hidden; }  /* never a second row of the bar */
.ms-room-line .ms-room-code { font-size: 30px; letter-spacing: 3px; }
.ms-room-line .ms-room-url { display: none; }
.ms-room-line .ms-room-counts .v-icon { color: #1b7a3a; margin: 0 2px 0 6px; }
.ms-bar .ms-room-line .v-btn { min-width: 0 !important; height: 36px !important;
    padding: 0 8px !important; }
.ms-room-line .ms-room-long { display: none; }
.ms-bar:has(.ms-room-line) .ms-proj-interventions { max-width: 180px; }
@media (min-width: 1600px) {
    .ms-room-line .ms-room-url, .ms-room-line .ms-room-long { display: inline; }
    .ms-room-line .ms-room-short { display: none; }
    .ms-bar:has(.ms-room-line) .ms-proj-interventions { max-width: 360px; }
}
"""

WATCH_SECONDS = 0.5
"""How often the projected page looks for what participants did."""


def pt(key: str, lang: str, **values: Any) -> str:
    """The panel's string ``key`` in ``lang``."""
    return rt(key, lang, **values)


@functools.cache
def qr_svg(url: str) -> str:
    """The QR code of ``url``, as inline SVG (drawn here: no outside service)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=5, border=2))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@solara.component
def RoomPanel(room: Room, lang: str, changed: Callable[[], None]) -> None:
    """The room's panel: join, participants, vote, replay. Redraws itself when the room
    changed (a participant acted, a decision timed out, the vote closed)."""
    shown, set_shown = solara.use_state(room.version)

    def listen() -> Callable[[], None]:
        # Participants act in the server's threads, outside this page's session: a watcher
        # started from the page (so in its session) redraws it when the room changed.
        stop = threading.Event()

        def watch() -> None:
            last = room.version
            while not stop.wait(WATCH_SECONDS):
                if last != room.version:
                    last = room.version
                    try:
                        set_shown(last)
                    except Exception as exc:  # the page is gone
                        print(f"milieusim room: {type(exc).__name__}: {exc}", file=sys.stderr)
                        return

        threading.Thread(target=watch, name="milieusim-room-watch", daemon=True).start()
        return stop.set

    solara.use_effect(listen, [])
    del shown  # (read to re-render on it)
    room.follow()
    counts = room.counts()
    rows = room.replay_rows(lang)
    with room.lock:
        pending = len(room.decisions)
        ballot = room.ballot
        ballots = len(ballot.ballots) if ballot else 0

    def open_vote() -> None:
        room.open_vote()
        changed()

    def close_vote() -> None:
        room.close_vote()
        changed()

    if room.workshop.projection:  # one element: a flex item of the control bar
        RoomLine(room, lang, counts, pending, ballot, ballots, open_vote, close_vote)
        return
    solara.Style(CSS)
    with solara.Div(classes=["ms-room"]):
        if room.join_url:
            solara.HTML(tag="div", unsafe_innerHTML=qr_svg(room.join_url), classes=["ms-room-qr"])
        with solara.Column(gap="2px"):
            solara.Text(pt("join", lang, url=room.join_url.split("?")[0]), classes=["ms-room-url"])
            solara.Text(room.code, classes=["ms-room-code"])
            total = sum(counts.values())
            by_role = " · ".join(f"{role_title(r, lang)} {counts[r]}" for r in ROLES if counts[r])
            solara.Text(
                f"{pt('people', lang, n=total)}" + (f" — {by_role}" if by_role else ""),
                classes=["ms-room-counts"],
            )
            solara.Text(pt("pending", lang, n=pending), classes=["ms-room-counts"])
            if room.waiting:
                solara.Text(pt("waiting", lang), classes=["ms-room-waiting"])
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                if ballot is not None:
                    solara.Text(pt("ballots", lang, n=ballots), classes=["ms-room-counts"])
                VoteButton(lang, ballot, ballots, open_vote, close_vote, short=False)
        with solara.Column(gap="2px", style={"flex": "1 1 520px"}):
            with solara.Row(style={"align-items": "center"}):
                solara.Text(pt("replay", lang), style={"font-weight": "700"})
                solara.FileDownload(
                    lambda: room.replay_csv(lang),
                    filename=f"milieusim-room-{room.code}.csv",
                    label=pt("replay_csv", lang),
                    mime_type="text/csv",
                )
            if not rows:
                solara.Text(pt("replay_empty", lang), classes=["ms-note"])
            else:
                head = "".join(
                    f"<th>{_escape(rt(k, lang))}</th>"
                    for k in (
                        "replay_week",
                        "replay_role",
                        "replay_decision",
                        "replay_subject",
                        "replay_effect",
                    )
                )
                body = "".join(
                    "<tr>" + "".join(f"<td>{_escape(str(c))}</td>" for c in row) + "</tr>"
                    for row in reversed(rows[-40:])
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f"<table><tr>{head}</tr>{body}</table>",
                    classes=["ms-replay"],
                )


def RoomLine(
    room: Room,
    lang: str,
    counts: dict[str, int],
    pending: int,
    ballot: Any,
    ballots: int,
    open_vote: Callable[[], None],
    close_vote: Callable[[], None],
) -> None:
    """The room in projection mode: one line in the control bar (the code, how many have
    joined, the decisions waiting, the vote; the address too on a wide window), so that
    the pictures keep their size. The QR code is on the page outside projection mode."""
    with solara.Div(classes=["ms-room", "ms-room-line"]):
        solara.Style(CSS)
        solara.Text(room.join_url.split("?")[0], classes=["ms-room-url"])
        solara.Text(room.code, classes=["ms-room-code"])
        if room.waiting:
            solara.v.Html(
                tag="span",
                class_="ms-room-waiting",
                attributes={"title": pt("waiting", lang)},
                children=[solara.v.Icon(children=["mdi-timer-sand"]), pt("waiting_short", lang)],
            )
        else:
            total = sum(counts.values())
            with solara.Div(classes=["ms-room-counts"]):
                solara.Text(pt("line", lang, n=total, pending=pending), classes=["ms-room-long"])
                solara.v.Html(
                    tag="span",
                    class_="ms-room-short",
                    attributes={"title": pt("line", lang, n=total, pending=pending)},
                    children=[
                        solara.v.Icon(children=["mdi-account-multiple"]),
                        str(total),
                        solara.v.Icon(children=["mdi-timer-sand"]),
                        str(pending),
                    ],
                )
        VoteButton(lang, ballot, ballots, open_vote, close_vote, short=True)


def VoteButton(
    lang: str,
    ballot: Any,
    ballots: int,
    open_vote: Callable[[], None],
    close_vote: Callable[[], None],
    *,
    short: bool,
) -> None:
    """The vote's button: put the next intervention to the vote (outlined) or, while a
    ballot is open, close it; ``short`` labels for the projection-mode line (the count of
    ballots on the close button)."""
    if ballot is None:
        label = pt("open_vote_short" if short else "open_vote", lang)
        on_click, css_class = open_vote, "ms-room-open-vote"
    else:
        label = pt("close_vote_short", lang, n=ballots) if short else pt("close_vote", lang)
        on_click, css_class = close_vote, "ms-room-close-vote"
    solara.Button(
        label,
        icon_name="mdi-vote",
        color="#1b7a3a",
        outlined=ballot is None,
        on_click=on_click,
        classes=[css_class],
    )
