"""The whole round trip in Debian's Chromium (Playwright), against ``nianbao serve --database
postgresql://…`` under gunicorn: a school fills a sheet and sees a finding beside the field,
downloads the workbook, uploads it with an error, gets the annotated copy, fixes and uploads it,
submits; the county returns it with a reason; the school fixes and resubmits; the county
accepts; the city approves, builds the report from approved data and downloads it. Screenshots
go to out/screenshots/ (1366×768 office screen, and a phone)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from helpers import temporary_database
from servers import PASSWORD, ROOT, copy_dataset, import_accounts, nianbao, serve

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "out" / "screenshots"
SCHOOL = "0140213012"


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])


def _login(page, url, user):
    page.goto(url + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=False)


def _fill_workbook(data: bytes, values: dict[str, str]) -> bytes:
    """Type figures into the downloaded workbook's input cells, as a clerk in Excel would."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for r in range(1, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code in values:
                ws.cell(r, 6).value = values[code]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_trip_in_a_browser(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: bash scripts/install-system-deps.sh --test"
    from nianbao.app import submissions

    for old in SHOTS.glob("*.png"):
        old.unlink()
    dataset = copy_dataset(tmp_path)
    ds = submissions.open_dataset(dataset)
    figures = submissions.previous_values(ds, SCHOOL, 2021)  # the school's 2020 figures of values.csv
    with temporary_database("nianbao_browser") as db:
        import_accounts(dataset, db)
        with serve(dataset, db, workers=2) as url, sync_playwright() as p:
            browser = _browser(p)
            office = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "accept_downloads": True}
            school = browser.new_context(**office).new_page()
            _login(school, url, "school_a")
            _shot(school, "01-school-start.png")
            # a sheet of the form: a wrong figure, saved in place (htmx), the finding beside its field
            school.click("text=办学规模")
            school.fill("input[name='v:students']", "四百五十二")
            school.fill("input[name='v:entrants']", figures["entrants"])
            school.fill("input[name='v:graduates']", figures["graduates"])
            school.click("text=保存并检查")
            row = school.locator("#row-students")
            expect(row).to_have_class(re.compile("has-error"))
            finding = school.locator("#row-students + tr.findings-row .finding.error")
            expect(finding).to_contain_text("不是数字")
            _shot(school, "02-school-form-finding.png")
            # the workbook: download, fill with one mistake, upload: refused, annotated copy offered
            with school.expect_download() as dl:
                school.click("text=下载填报表")
            blank = Path(dl.value.path()).read_bytes()
            wrong = dict(figures, land_area="约五万")
            upload = tmp_path / "学校填报表.xlsx"
            upload.write_bytes(_fill_workbook(blank, wrong))
            school.set_input_files("input[name=workbook]", str(upload))
            school.click("text=上传并检查")
            expect(school.locator(".upload.rejected")).to_contain_text("未入库")
            _shot(school, "03-school-upload-rejected.png")
            with school.expect_download() as dl:
                school.click("text=下载批注副本")
            from openpyxl import load_workbook

            annotated = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
            assert annotated.sheetnames[0] == "问题清单"
            assert any("约五万" in str(c.value) for row in annotated["问题清单"].iter_rows() for c in row)
            # fixed and uploaded again: stored
            upload.write_bytes(_fill_workbook(blank, figures))
            school.set_input_files("input[name=workbook]", str(upload))
            school.click("text=上传并检查")
            expect(school.locator(".upload.stored")).to_contain_text("已入库")
            school.fill("textarea[name=note]", "在校生数与上年相比的变化因转学所致")
            school.click("text=提交区县审核")
            expect(school.locator(".head .state")).to_have_text("已提交")
            _shot(school, "04-school-submitted.png")

            county = browser.new_context(**office).new_page()
            _login(county, url, "county_a")
            expect(county.locator("table.grid")).to_contain_text("已提交")
            _shot(county, "05-county-schools.png")
            county.click(f"a[href='/org/{SCHOOL}/school/']")
            county.fill("input[name=reason]", "专任教师数与人事系统不符，请核对")
            _shot(county, "06-county-review.png")
            county.click("button:has-text('退回修改')")
            expect(county.locator(".head .state")).to_have_text("退回修改")

            school.goto(url + "/")
            expect(school.locator(".returned")).to_contain_text("专任教师数与人事系统不符")
            school.click("text=教师队伍")
            school.fill("input[name='v:fulltime_teachers']", figures["fulltime_teachers"])
            school.click("text=保存并检查")
            expect(school.locator("#saved")).to_be_visible()
            school.click("text=提交区县审核")
            expect(school.locator(".head .state")).to_have_text("已提交")

            county.reload()
            county.click("button:has-text('审核通过')")
            expect(county.locator(".head .state")).to_have_text("区县已审核")

            city = browser.new_context(**office).new_page()
            _login(city, url, "city")
            expect(city.locator("h1")).to_contain_text("大同市")
            city.goto(url + f"/org/{SCHOOL}/school/")
            city.click("button:has-text('审定（锁定数据）')")
            expect(city.locator(".head .state")).to_have_text("市级已审定")
            city.goto(url + "/city/140200/")
            expect(city.locator(".head")).to_contain_text("35 所学校中 1 所已审定")
            _shot(city, "07-city-dashboard-approved.png")
            city.goto(url + "/city/140200/?data=all")  # every stored figure: the example's schools too
            expect(city.locator("table.grid").first).to_contain_text("平城区")
            city.screenshot(path=str(SHOTS / "07-city-dashboard-all.png"), full_page=True)
            city.goto(url + "/city/140200/")
            city.click("text=用已审定数据生成报告")
            expect(city.locator("#job")).to_contain_text("报告已生成", timeout=120_000)
            _shot(city, "08-city-report-built.png")
            with city.expect_download() as dl:
                city.click("text=下载 Word")
            assert Path(dl.value.path()).read_bytes()[:2] == b"PK"

            # the school's form is locked now and says why; on a phone too
            school.goto(url + "/")
            expect(school.locator(".lock")).to_contain_text("市级已审定")
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                        device_scale_factor=2, locale="zh-CN").new_page()
            _login(phone, url, "school_a")
            _shot(phone, "09-school-phone.png")
            # the English switch
            city.goto(url + "/city/140200/")
            city.click("button[value=en]")
            expect(city.locator("h2").first).to_contain_text("City report")
            _shot(city, "10-city-dashboard-en.png")
            browser.close()

        # the command line reads the server's figures: the stored workbook of the school
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "DJANGO_"))}
        env["NIANBAO_DATABASE"] = db
        out = nianbao("indicators", dataset, "--level", "school", "--indicators", "students", "--format", "csv",
                      env=env)
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith(SCHOOL))
        assert f",{figures['students']}," in line
