"""Ideas (ODD 7.3–7.4): marginaux sécants meet their partners, other staff meet
outsiders, staff combine colleagues' know-how, colleagues of different units meet
unplanned; anomalies turn up (serendipity); ideas the organisation understands are
judged by their carrier and proposed or not.

Above :mod:`~milieusim.submodels.pilots` (without managers a proposal starts its pilot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim.innovation import Innovation, Origin, Stage
from milieusim.knowledge import ANOMALY_OFFSET, KIND_FACES, PARTNER_BREADTH, absorption
from milieusim.submodels import absorption as absorptive
from milieusim.submodels import pilots, ties

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = [
    "PRODUCT_TILT",
    "WORK_ANOMALY_SHARE",
    "anomalies",
    "draw_faces",
    "form_ideas",
    "generate_ideas",
    "knowledge_paths",
    "new_innovation",
    "outside_contacts",
    "relay",
]

WORK_ANOMALY_SHARE = 1 / 50
"""Anomalies per person-week of daily work, as a share of ``anomaly_rate``."""
PRODUCT_TILT = 0.5
"""A new service adds this many value_sd to quality and takes as many from cost, on
average (it has running costs); a new process the converse (it saves at some cost in
quality). Gallouj & Weinstein (1997): product and process innovations move different
characteristics."""


def new_innovation(
    m: MilieuModel,
    *,
    kind: str,
    origin: Origin,
    originator: int,
    unit: int,
    partner: int,
    source: np.ndarray,
    novelty: float,
    path: float,
    faces: tuple[float, float, float],
    rules: np.ndarray,
    found_in: str = "",
    novel: tuple[float, float] = (0.0, 0.0),
) -> Innovation:
    k = Innovation(
        id=len(m.innovations),
        kind=kind,
        origin=origin,
        originator=originator,
        unit=unit,
        partner=partner,
        partner_kind=m.partner_kind[partner] if partner >= 0 else "",
        source=np.asarray(source, dtype=float),
        novelty=float(novelty),
        path=float(path),
        use=float(faces[0]),
        exchange=float(faces[1]),
        esteem=float(faces[2]),
        rules=rules,
        born=m.now,
        found_in=found_in,
        novel_use=float(novel[0]),
        novel_exchange=float(novel[1]),
    )
    k.history.append((m.now, Stage.IDEA))
    m.innovations.append(k)
    return k


def generate_ideas(m: MilieuModel) -> None:
    """Encounters, inside and outside, and the ideas the organisation understands."""
    p = m.p
    n = p["n_staff"]
    present = m.staff_present
    rate = p["anomaly_rate"]
    outside_c, outside_s, outside_p, outside_o = outside_contacts(m)
    m.met_partners = (outside_c, outside_p)  # whose solutions staff may see (adaptation)
    # 3. Staff combine a colleague's know-how with their own (creativity).
    inside = np.flatnonzero(
        present & (m.draws("inside").random(n) < p["internal_idea_rate"] * m.staff_creativity)
    )
    colleague = ties.random_contacts(m, inside)
    # 4. Unplanned encounters across units (serendipity): a tie, and maybe an anomaly.
    enc = np.flatnonzero(
        present
        & (
            m.draws("encounters").random(n)
            < m.lever("serendipity", "serendipity:encounters") * p["encounter_rate"]
        )
    )
    other = ties.random_other_unit(m, enc)
    ok = other >= 0
    enc, other = enc[ok], other[ok]
    ties.make_ties(m, enc, other)
    # 5. Anomalies: in pilots, in daily work, in encounters (inside and outside).
    found_c, found_s, found_in = anomalies(m, outside_c, outside_s, enc, other, rate)

    all_c = np.concatenate([outside_c, inside])
    all_s = np.concatenate([outside_s, m.staff_home[colleague]])
    all_p = np.concatenate([outside_p, np.full(inside.size, -1)])
    all_o = np.concatenate([outside_o, np.full(inside.size, 2)])
    # Creativity turns an encounter into an idea (internal ideas already used it).
    rng = m.draws("ideas")
    spark = np.ones(all_c.size, dtype=bool)
    spark[: outside_c.size] = rng.random(outside_c.size) < m.staff_creativity[outside_c]
    spark &= rng.random(all_c.size) < p["creative_stimulation"]
    form_ideas(m, all_c[spark], all_s[spark], all_p[spark], all_o[spark], found_in=None)
    if found_c.size:
        form_ideas(
            m,
            found_c,
            found_s,
            np.full(found_c.size, -1),
            np.full(found_c.size, 3),
            found_in=found_in,
        )


def outside_contacts(
    m: MilieuModel,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This week's contacts with outsiders: marginaux sécants meeting the partners of their
    outside world, other staff meeting outsiders at work (both with ``openness``). Returns
    the staff, where the knowledge met lies, the partners, and the origin codes (0 partner
    contact, 1 front line)."""
    p = m.p
    n = p["n_staff"]
    present = m.staff_present
    carriers: list[np.ndarray] = []
    partners: list[np.ndarray] = []
    origins: list[np.ndarray] = []
    # 1. Marginaux sécants meet the partners of their outside world (openness).
    t = m.tie_staff.size
    chance = m.lever("openness", "openness:partner-contacts") * p["contact_rate"]
    met = m.draws("contacts").random(t) < chance
    who, whom = m.tie_staff[met], relay(m, m.tie_partner[met])
    for j in m.tie_partner[met].tolist():
        m.partner_agents[j].contacts += 1
    carriers.append(who)
    partners.append(whom)
    origins.append(np.full(who.size, 0))
    # 2. Other staff meet outsiders at work (openness).
    frontline = m.draws("frontline")
    fl = np.flatnonzero(
        present
        & (frontline.random(n) < m.lever("openness", "openness:frontline") * p["frontline_rate"])
    )
    if p["n_partners"] == 0:
        fl = fl[:0]
    carriers.append(fl)
    partners.append(frontline.integers(max(p["n_partners"], 1), size=fl.size))
    origins.append(np.full(fl.size, 1))
    outside_c = np.concatenate(carriers)
    outside_p = np.concatenate(partners).astype(np.int64)
    # A partner holds a body of know-how around its position, not a single point.
    outside_s = (
        m.partner_pos[outside_p]
        + m.draws("contacts").normal(0.0, PARTNER_BREADTH, (outside_p.size, 2))
        if outside_p.size
        else np.zeros((0, 2))
    )
    return outside_c, outside_s, outside_p, np.concatenate(origins)


def relay(m: MilieuModel, partners: np.ndarray) -> np.ndarray:
    """Whose knowledge a contact with each of ``partners`` brings: the partner's own,
    or (chance ``milieu_relay``) that of a partner it knows (ideas travel in the
    milieu)."""
    if partners.size == 0 or m.p["milieu_relay"] <= 0:
        return partners
    out = partners.copy()
    rng = m.draws("contacts")
    relay = rng.random(partners.size) < m.p["milieu_relay"]
    for i in np.flatnonzero(relay).tolist():
        known = m.partner_agents[int(partners[i])].milieu
        if known.size:
            out[i] = known[rng.integers(known.size)]
    return out


def anomalies(
    m: MilieuModel,
    outside_c: np.ndarray,
    outside_s: np.ndarray,
    enc: np.ndarray,
    other: np.ndarray,
    rate: float,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Anomalies followed up this week: finders, where they lie, in what activity.

    An anomaly turns up in a running pilot, in an encounter (with an outsider or a
    colleague of another unit) with chance ``anomaly_rate`` a week, and in a
    person's daily work with a fiftieth of it; it lies off the track being followed
    (a random offset). With chance ``serendipity`` someone follows it up (it costs a
    week's work); whether it is recognised as worth something is judged later, by
    what the finder and the organisation know (:func:`form_ideas`).
    """
    rng, p = m.draws("anomalies"), m.p
    finders: list[np.ndarray] = []
    places: list[np.ndarray] = []
    where: list[str] = []
    if m.pilots:
        pilots_hit = [k for k in m.pilots if rng.random() < rate]
        for k in pilots_hit:
            finders.append(np.array([k.team[rng.integers(k.team.size)]]))
            places.append(k.source.reshape(1, 2))
            where.append("pilot")
    work = np.flatnonzero(m.staff_present & (rng.random(p["n_staff"]) < rate * WORK_ANOMALY_SHARE))
    finders.append(work)
    places.append(m.staff_home[work])
    where += ["work"] * work.size
    met = np.concatenate([outside_c, enc])
    at = np.concatenate([outside_s, (m.staff_home[enc] + m.staff_home[other]) / 2])
    hit = rng.random(met.size) < rate
    finders.append(met[hit])
    places.append(at[hit])
    where += ["encounter"] * int(hit.sum())
    finder = np.concatenate(finders).astype(np.int64)
    place = np.concatenate(places) if places else np.zeros((0, 2))
    if finder.size == 0:
        return finder, place, []
    angle = rng.uniform(0, 2 * np.pi, finder.size)
    length = rng.exponential(ANOMALY_OFFSET, finder.size)
    place = place + length[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    followed = rng.random(finder.size) < m.lever("serendipity", "serendipity:follow-up")
    m.leads_this_week = int(followed.sum())
    m.count("leads_followed", m.leads_this_week)
    kept = [w for w, f in zip(where, followed.tolist(), strict=True) if f]
    return finder[followed], place[followed], kept


def knowledge_paths(m: MilieuModel, carriers: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """Squared length of the shortest two-hop path from each source to the
    organisation's knowledge, through what each carrier knows (their unit's know-how,
    or for a marginal sécant their outside world too), or straight to the knowledge
    base when the organisation already knows the area."""
    home, bridge = m.staff_home[carriers], m.staff_bridge[carriers]
    # one query for the three sets of points (each point's distance on its own)
    count = len(carriers)
    path2 = m.kb.distance(np.concatenate([np.asarray(sources, dtype=float), home, bridge])) ** 2
    direct, to_home, to_bridge = path2[:count], path2[count : 2 * count], path2[2 * count :]
    via_home = ((home - sources) ** 2).sum(axis=1) + to_home
    via_bridge = ((bridge - sources) ** 2).sum(axis=1) + to_bridge
    return np.minimum(direct, np.minimum(via_home, via_bridge))


def draw_faces(
    m: MilieuModel,
    sources: np.ndarray,
    units: np.ndarray,
    partners: np.ndarray,
    is_product: np.ndarray,
) -> dict[str, np.ndarray]:
    """Novelty and the three faces of new ideas drawing on knowledge at ``sources``
    for ``units``, with the part of use and exchange that comes from novelty.

    Novelty is what is new to the workplace (as innovation surveys define it: new to
    the unit, possibly known elsewhere): the distance from the unit's own domain of
    know-how. What novelty brings grows with it: ``novelty_value`` value units per unit
    on average, split between the faces by who the knowledge comes from, and a spread
    of value_sd per unit of novelty; how much of that can be realised depends on what
    the organisation understands (:meth:`~milieusim.model.MilieuModel.expected_realised`).
    A new service raises quality at a cost, a new process saves at some loss of quality,
    on average. A share ``trade_off_share`` of ideas are trade-offs: novelty's premium
    goes to the face their kind leans to, taken from the other (same net value).
    """
    p, rng = m.p, m.draws("ideas")
    count = len(sources)
    novelty = np.sqrt(((sources - m.unit_domain[units]) ** 2).sum(axis=1))
    kinds = [m.partner_kind[j] if j >= 0 else "" for j in partners.tolist()]
    weights = np.array([KIND_FACES[k] for k in kinds]).reshape(count, 3)
    premium = p["novelty_value"] * novelty
    sd = p["value_sd"]
    tilt = np.where(is_product, PRODUCT_TILT * sd, -PRODUCT_TILT * sd)
    noise = rng.standard_normal((count, 5))
    base = sd / np.sqrt(2.0)
    novel_use = weights[:, 0] * premium + base * novelty * noise[:, 3]
    novel_exchange = weights[:, 1] * premium + base * novelty * noise[:, 4]
    # Trade-offs: what novelty brings goes to the face the idea's kind leans to (quality
    # for a new service, cost for a new process) at the other face's expense; the net
    # value is the same (own stream: the other draws stay paired).
    trade = m.draws("trade-offs").random(count) < p["trade_off_share"]
    shift = 2.0 * premium * np.where(is_product, weights[:, 1], -weights[:, 0]) * trade
    novel_use = novel_use + shift
    novel_exchange = novel_exchange - shift
    return {
        "novelty": novelty,
        "use": p["value_mean"] / 2 + tilt + base * noise[:, 0] + novel_use,
        "exchange": p["value_mean"] / 2 - tilt + base * noise[:, 1] + novel_exchange,
        "esteem": weights[:, 2] * premium + 0.5 * sd * noise[:, 2],
        "novel_use": novel_use,
        "novel_exchange": novel_exchange,
    }


def form_ideas(
    m: MilieuModel,
    carriers: np.ndarray,
    sources: np.ndarray,
    partners: np.ndarray,
    origins: np.ndarray,
    found_in: list[str] | None,
) -> None:
    """Ideas the organisation understands, judged by their carrier, proposed or not.

    The chance of understanding falls with the two-hop distance from the knowledge the
    idea draws on, through what the carrier knows, to what the organisation knows
    (absorption). The carrier then judges what it is worth, the more accurately the
    shorter that path: a worthwhile idea is proposed with the carrier's initiative.
    For an anomaly that judgement is the prepared mind of Merton's serendipity; with
    ``ablate = serendipity:recognition`` it is a coin toss.
    """
    p, rng = m.p, m.draws("ideas")
    if carriers.size == 0:
        return
    r = p["absorption_radius"]
    path2 = knowledge_paths(m, carriers, sources)
    understood = rng.random(carriers.size) < absorption(path2, r)
    is_product = rng.random(carriers.size) < p["product_share"]
    faces = draw_faces(m, sources, m.staff_unit[carriers], partners, is_product)
    use, exchange, esteem = faces["use"], faces["exchange"], faces["esteem"]
    judged = (
        use
        + exchange
        + 0.5 * esteem
        + p["value_sd"] * (0.5 + np.sqrt(path2) / r) * (rng.standard_normal(carriers.size))
    )
    worth = judged > 0
    proposes = rng.random(carriers.size) < m.staff_initiative[carriers]
    collisions = rng.random((carriers.size, len(m.rule_agents))) < p["rule_collision"]
    outside_learn = rng.random(carriers.size) < absorptive.assimilation_chance(m, sources)
    if found_in is not None and m.switched_off("serendipity:recognition"):
        worth = rng.random(carriers.size) < 0.5  # drawn last: the other draws stay paired
    origin_of = (Origin.PARTNER, Origin.FRONTLINE, Origin.INTERNAL, Origin.SERENDIPITY)
    for i in np.flatnonzero(understood).tolist():
        kind = "product" if is_product[i] else "process"
        staff = int(carriers[i])
        partner = int(partners[i])
        k = new_innovation(
            m,
            kind=kind,
            origin=origin_of[int(origins[i])],
            originator=staff,
            unit=int(m.staff_unit[staff]),
            partner=partner,
            source=sources[i],
            novelty=float(faces["novelty"][i]),
            path=float(np.sqrt(path2[i])),
            faces=(float(use[i]), float(exchange[i]), float(esteem[i])),
            novel=(float(faces["novel_use"][i]), float(faces["novel_exchange"][i])),
            rules=np.flatnonzero(collisions[i] & m.rule_covers[kind]),
            found_in=found_in[i] if found_in is not None else "",
        )
        if partner >= 0:  # a partner may pay part of a joint pilot
            k.cofunding = float(m.partner_resources[partner])
        m.count("ideas")
        if partner >= 0:
            m.count("ideas_external")
            if outside_learn[i]:
                m.kb.learn(sources[i], r)
        if not (worth[i] and proposes[i]):
            k.move(Stage.UNPROPOSED, m.now)
            continue
        pilots.propose(m, k)
