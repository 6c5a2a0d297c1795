"""Teams and stations on the workbench, in Chromium, against the platform of tests/e2e/test_dashboard.py
(the services' clock on 1 June 2026): Haizhu district's caseworker opens her teams from her home
page, reads a team's roster by name — who is in it now, who moved out and when — then the stations,
a station's activities by kind with their attendance, and the same page in English; 从化区's team is
not among hers. Each page is photographed."""

from __future__ import annotations

from tests.e2e.test_dashboard import HERS, OTHER, Site, browser, sign_in, site  # noqa: F401  (the fixtures)
from tests.log.projection_cases import catch_up

from playwright.async_api import expect  # noqa: E402  (test_dashboard skips without one)


async def send(site: Site, command: str, context: str = "intake", **body) -> None:
    reply = await site.http.post(f"/commands/{context}/{command}", headers=site.nation, json=body)
    assert reply.status_code == 201, reply.text


async def teams_and_a_station(site: Site) -> None:
    await send(site, "form_team", team_id="t-street", region="440105001", name="赤岗街爱心妈妈服务队", formed_on="2026-01-05")
    await send(site, "form_team", team_id="t-district", region="440105", name="海珠区爱心妈妈志愿服务队",
               formed_on="2025-03-01")
    await send(site, "form_team", team_id="t-far", region="440117", name="从化区服务队", formed_on="2025-03-01")
    for volunteer_id, name, team in (("v-wf", "王芳", "t-street"), ("v-lj", "李娟", "t-street"), ("v-zm", "张敏", None)):
        await send(site, "recruit_volunteer", volunteer_id=volunteer_id, region=HERS, name=name, sex="female",
                   kind="mother", team_id=team, recruited_on="2026-02-01")
    await send(site, "move_team", volunteer_id="v-lj", to_team_id="t-district", moved_on="2026-04-10")
    await send(site, "join_team", volunteer_id="v-zm", team_id="t-district", joined_on="2026-05-01")
    await send(site, "open_station", station_id="s-cg", region="440105001", name="赤岗爱心妈妈驿站",
               opening_days=["sat", "sun", "wed"], opened_on="2026-03-01")
    for day, kind, attendance in (("2026-05-02", "holiday_activity", 160), ("2026-05-16", "reading", 24),
                                  ("2026-05-30", "holiday_activity", 80)):
        await send(site, "log_collective_activity", "activity", station_id="s-cg", kind=kind, held_on=day,
                   duration_minutes=120, volunteer_ids=["v-wf", "v-zm"], attendance=attendance)
    await catch_up(site.projector, site.event_log)


async def test_a_district_reads_its_teams_rosters_and_stations(site: Site, browser) -> None:  # noqa: F811
    await teams_and_a_station(site)
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, site, "haizhu")
    await page.click("#open-teams")
    await expect(page.locator("h1")).to_have_text("志愿服务队")
    rows = page.locator("#teams tbody tr")
    await expect(rows).to_have_count(2)  # 从化区's team is not hers
    await expect(page.locator("#team-t-district td").nth(3)).to_have_text("2")  # 李娟 and 张敏 now
    await site.shot(page, "teams")

    await page.click("#team-t-street a")
    await expect(page.locator("h1")).to_contain_text("赤岗街爱心妈妈服务队")
    await expect(page.locator("#members")).to_contain_text("王芳")
    await expect(page.locator("#former")).to_contain_text("李娟")
    await expect(page.locator("#former")).to_contain_text("2026-04-10")
    await site.shot(page, "team")

    # She changes the roster from its page: 李娟 cannot join while in another team; 王芳 moves out.
    await page.fill("#join-volunteer", "v-lj")
    await page.click("#join-button")
    await expect(page.locator("#team-error")).to_have_text("她已在另一支服务队：请在该队页面为她调队，或先让她离队。")
    await site.shot(page, "team-refused", twin=False)
    await page.select_option("#to-v-wf", "t-district")
    await page.click("#move-v-wf button")
    await expect(page.locator("#team-done")).to_have_text("已调至其他服务队。")
    await catch_up(site.projector, site.event_log)
    await page.reload()
    await expect(page.locator("#no-members")).to_be_visible()
    await site.shot(page, "team-after-move")

    await page.goto(site.url + "/volunteer/v-wf")  # her file names the team she is in now
    await expect(page.locator("#volunteer-team")).to_contain_text("海珠区爱心妈妈志愿服务队")
    await expect(page.locator("#timeline-title")).to_be_visible()
    await site.shot(page, "volunteer")

    await page.goto(site.url + "/r/440105/stations")
    await expect(page.locator("#station-s-cg")).to_contain_text("周六、周日、周三")
    await expect(page.locator("#station-s-cg")).to_contain_text("264")  # person-times as given
    await site.shot(page, "stations")
    await page.click("#station-s-cg a")
    await expect(page.locator("#station-person-times")).to_contain_text("264")
    await expect(page.locator("#kinds")).to_contain_text("240")  # two holiday activities: 160 + 80
    await site.shot(page, "station", twin=False)  # and "station-en" below

    await page.click("#lang-switch")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#kinds")).to_contain_text("Person-times")
    await site.shot(page, "station-en", twin=False)
    await page.goto(site.url + f"/r/{OTHER[:6]}/teams")
    await expect(page.locator("body")).to_contain_text("outside")
