"""The child's file (一人一档) in a real browser: a caseworker of 海珠区 keeps a child's file from her
page — a needs survey, her tier and why, a visit for her pair (one dated before the pair was formed
refused with the day it must follow), a wish fulfilled, a concern followed up and closed — and sees
each on the page in words, in Chinese and in English, with no id, code or raw value as a label and
nothing sealed that her role may read; each look is in the access log. A viewer of the district sees
the file without a name and without an action. The pair's and the volunteer's pages name both."""

from __future__ import annotations

import re

import pytest

from contracts.accounts import Role
from contracts.registry import event_types
from tests.e2e import test_dashboard
from tests.e2e.test_dashboard import CHROMIUM, Site, browser, sign_in  # noqa: F401  (skips without a browser; the fixture, reused)
from tests.e2e.test_dashboard_forms import active_pair, command

from playwright.async_api import Page, expect  # noqa: E402  (test_dashboard skips without one)

MORE = {"approver": ("440105", Role.approver), "watcher": ("440105", Role.viewer), "boss": ("CN", Role.admin)}
FIELDS = sorted({name for cls in event_types().values() for name in cls.model_fields}, key=len, reverse=True)
# A 32-character id, a bare area code, a sealed mark, a raw enum (depression_signs), an event's `key: value`.
RAW = re.compile(r"\b[0-9a-f]{32}\b|\b\d{12}\b|<sealed>|<withheld>|\b[a-z]+_[a-z_]+\b|\b(?:%s): " % "|".join(FIELDS))
PAIR = "P-file"
DAY = "2026-06-01"  # the services' today (tests/conftest.py), the day the pair is formed


@pytest.fixture
async def site(nats_server, nc, event_log, deps, tmp_path, monkeypatch):
    """test_dashboard's platform with an approver, a viewer and an admin beside its caseworkers."""
    async with test_dashboard.serving(nats_server, event_log, deps, tmp_path, monkeypatch, nc,
                                      accounts_of={**test_dashboard.ACCOUNTS, **MORE}) as running:
        yield running


async def file_text(page: Page) -> str:
    return await page.locator("main").inner_text()


def no_raw_labels(text: str) -> None:
    """No 32-character id, bare area code, sealed mark, raw enum or `key: value` on the page."""
    assert not RAW.findall(text), RAW.findall(text)


async def act(page: Page, name: str, target: str, **fields: str | list[str]) -> None:
    """Open a follow-up form of the page, fill it in and send it."""
    await page.click(f"#{name}-{target} > summary")
    for field, value in fields.items():
        where = f"#form-{name}-{target} [name={field}]"
        if isinstance(value, list):
            for ticked in value:
                await page.check(f"{where}[value={ticked}]")
        elif await page.locator(where).evaluate("e => e.tagName") == "SELECT":
            await page.select_option(where, value)
        else:
            await page.fill(where, value)
    await page.click(f"#form-{name}-{target} button[type=submit]")


async def test_a_caseworker_keeps_a_childs_file_and_reads_it_in_words(site: Site, browser) -> None:
    await active_pair(site, PAIR)  # 陈静 and 李小花 (c-hz), approved today
    await command(site, "nation", "submit_wish", "activity", wish_id="w-file", child_id="c-hz", item="新书包",
                  category="study", estimated_cost_yuan=120)
    await command(site, "nation", "raise_concern", "activity", concern_id="k-file", child_id="c-hz",
                  kind="depression_signs", raised_on=DAY, note="最近很少说话")
    page = await (await browser.new_context(viewport={"width": 1366, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await page.goto(site.url + "/child/c-hz")
    await expect(page.locator(".child-name")).to_have_text("李小花")
    await expect(page.locator("#file-done")).to_have_count(0)  # nothing was done: nothing said
    await expect(page.locator("#tier-reason")).to_contain_text("父母外出务工")  # hers to read, not sealed
    await expect(page.locator(f"#pair-{PAIR}")).to_contain_text("陈静")

    await act(page, "survey", "c-hz", needs=["family_affection", "micro_wishes"], notes="想念外出的妈妈", surveyed_on=DAY)
    await expect(page.locator("#file-done")).to_have_text("已记录需求调查。")
    await expect(page.locator("#needs-now")).to_contain_text("亲情关爱、微心愿")
    await act(page, "tier", "c-hz", tier="orange", reason="情绪有所好转")
    await expect(page.locator("#tier-now .tier-orange")).to_have_text("橙色")
    await expect(page.locator("#tier-reason")).to_contain_text("情绪有所好转")

    await act(page, "visit", PAIR, kind="phone_call", visited_on="2020-01-01", duration_minutes="20")
    await expect(page.locator(f"#e-visit-{PAIR}-visited_on")).to_contain_text(f"请填写 {DAY} 或之后的日期")
    await expect(page.locator(f"#form-visit-{PAIR} [name=duration_minutes]")).to_have_value("20")  # kept
    await expect(page.locator("#file-done")).to_have_count(0)
    await page.fill(f"#form-visit-{PAIR} [name=visited_on]", DAY)
    await page.fill(f"#form-visit-{PAIR} [name=note]", "聊了学校的事")
    await page.click(f"#form-visit-{PAIR} button[type=submit]")
    await expect(page.locator("#file-done")).to_have_text("已记录走访。")
    await expect(page.locator("#timeline li").first).to_contain_text(f"{DAY} 陈静 电话联系 20 分钟")
    await expect(page.locator("#timeline li").first).to_contain_text("聊了学校的事")  # the note, opened

    await act(page, "fulfil_wish", "w-file", donor="某爱心企业")
    await expect(page.locator("#wish-w-file .status")).to_have_text("已实现")
    await act(page, "follow_up", "k-file", note="已与老师沟通", followed_up_on=DAY)
    await expect(page.locator("#concern-k-file")).to_contain_text("跟进 1 次")
    await act(page, "close", "k-file", outcome="resolved", closed_on=DAY)
    await expect(page.locator("#concern-k-file .status")).to_have_text("已结案")
    await expect(page.locator("#concern-k-file")).to_contain_text("已解决")
    text = await file_text(page)
    for said in ("情绪低落迹象", "微心愿已实现", "关爱个案结案：已解决", "风险等级评为橙色", "需求调查：亲情关爱、微心愿"):
        assert said in text, said
    no_raw_labels(text)
    await site.shot(page, "files-1-child-zh", twin=False)

    await page.click("#lang-switch")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#timeline")).to_contain_text(f"{DAY} 陈静: phone call, 20 min")
    await expect(page.locator("#concern-k-file")).to_contain_text("signs of depression")
    await expect(page.locator("#needs-now")).to_contain_text("family affection, micro-wishes")
    no_raw_labels(await file_text(page))
    await site.shot(page, "files-2-child-en", twin=False)

    await page.click(f"#pair-{PAIR} h3 a")  # the pair's page names both
    await expect(page.locator(".member-child")).to_have_text("李小花")
    await expect(page.locator(".member-volunteer")).to_have_text("陈静")
    await expect(page.locator("#timeline h2[data-type=VisitLogged]")).to_have_count(1)
    await expect(page.locator(f"#end_pair-{PAIR} > summary")).to_be_visible()  # its end is offered here too
    no_raw_labels(await file_text(page))
    await site.shot(page, "files-3-pair-en", twin=False)
    await page.click(".member-volunteer")
    await expect(page.locator(".volunteer-name")).to_have_text("陈静")
    await expect(page.locator(f"#pair-{PAIR}")).to_contain_text("李小花")
    await site.shot(page, "files-4-volunteer-en", twin=False)

    admin = await test_dashboard.bearer(site.http, "boss")
    log = (await site.http.get("/audit/access", params={"child_id": "c-hz"}, headers=admin)).json()["entries"]
    looks = [e for e in log if e["username"] == "haizhu" and e["route"] == "/children/{child_id}/file"]
    assert len(looks) >= 8, log  # every look at her file, each time it was shown


async def test_a_viewer_sees_the_file_without_names_or_actions(site: Site, browser) -> None:
    await active_pair(site, PAIR)
    page = await (await browser.new_context(viewport={"width": 1366, "height": 900})).new_page()
    await sign_in(page, site, "watcher")
    await page.goto(site.url + "/child/c-hz")
    await expect(page.locator("#ids-only")).to_be_visible()
    await expect(page.locator("#tier-now .tier-red")).to_have_text("红色（最紧急）")  # figures, not names
    await expect(page.locator("main form")).to_have_count(0)  # no action she could not take
    await expect(page.locator("main details.act")).to_have_count(0)
    text = await file_text(page)
    assert "李小花" not in text and "陈静" not in text and "父母外出务工" not in text
    assert "<sealed>" not in text and "<withheld>" not in text
    await site.shot(page, "files-5-child-viewer-zh")
    await page.goto(site.url + f"/pair/{PAIR}")
    text = await file_text(page)
    assert "李小花" not in text and "陈静" not in text
    await expect(page.locator(".member-child")).to_have_text("儿童")
    await expect(page.locator("main details.act")).to_have_count(0)
    await site.shot(page, "files-6-pair-viewer-zh")
    reply = await page.goto(site.url + "/r/440105/forms/log-visit")  # no form for a viewer either
    assert reply.status == 403


async def test_a_childs_file_fits_a_phone(site: Site, browser) -> None:
    await active_pair(site, PAIR)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await sign_in(page, site, "haizhu")
    await page.goto(site.url + "/child/c-hz")
    await expect(page.locator(".child-name")).to_have_text("李小花")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    await site.shot(page, "files-7-child-phone-zh")
