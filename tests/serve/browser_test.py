"""browser_test.py SVP WORKDIR SCREENSHOT - an officer at the form, in
headless Chromium driven by selenium: fill in a procurement by keyboard as
a person types it (`£145,000`, `10%`), watch the finding and the checklist
change, save, reload, find it in the register, open it again.  Keeps a
screenshot of the filled-in form."""
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness import Checks, Server, fresh_db

svp, work, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
t = Checks("serve browser")
db = fresh_db(work, "browser.sqlite")
s = Server(svp, db).start()

opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,1500", "--lang=en-GB",
          "--user-data-dir=" + os.path.join(work, "chromium-profile")):
    opts.add_argument(a)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
# The page redraws its lists whenever an answer arrives: an element found
# just before a redraw goes stale, and the wait tries again.
wait = WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException])


def by_id(i):
    return driver.find_element(By.ID, i)


def label_for(text):
    """The control a visible label names, as a person finds it."""
    lab = driver.find_element(By.XPATH, "//label[normalize-space(text())=%s]" % repr(text).replace("\\'", "'"))
    return by_id(lab.get_attribute("for"))


def type_into(label, text):
    box = label_for(label)
    box.clear()
    box.send_keys(text)


def findings():
    return [li.get_attribute("data-rule") for li in driver.find_elements(By.CSS_SELECTOR, "#findings li[data-rule]")]


def checklist():
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#checklist li")]


def click_in(css, tag):
    """Click the first `tag` inside the element `css`, again if the page
    redrew the element between finding and clicking it (the register's table
    is redrawn when an answer arrives)."""
    def attempt(d):
        try:
            d.find_element(By.CSS_SELECTOR, css).find_element(By.TAG_NAME, tag).click()
            return True
        except StaleElementReferenceException:
            return False
    wait.until(attempt)


def settles(pred, what):
    try:
        wait.until(lambda d: pred())
        return t.check(True, what)
    except TimeoutException:
        return t.check(False, what, "findings %s; checklist %s; verdict %r" % (findings(), checklist(), by_id("verdict").text))


try:
    driver.get("http://%s/" % s.host)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#fields input"))
    t.equal(by_id("policy-name").text, "NELC Social Value Policy", "the page names the policy")
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input, select')].filter(e => !(e.labels && e.labels.length)).map(e => e.id)")
    t.equal(unlabelled, [], "every input has a label")

    # The officer fills in the form, keyboard only.
    type_into("Reference", "NELC-2026-0042")
    type_into("Title", "<script>alert(1)</script> Library roof")
    Select(label_for("Stage")).select_by_visible_text("Tender")
    Select(label_for("Category")).select_by_visible_text("Works")
    settles(lambda: any("Opportunity published" in c for c in checklist()),
            "at tender, the checklist asks for the publication date")
    req = driver.find_element(By.XPATH, "//label[@for=%r]/span[contains(@class,'req-mark')]" % label_for("Opportunity published").get_attribute("id"))
    t.check(req.is_displayed(), "the field required at this stage is marked")
    type_into("Estimated value (excluding VAT)", "£145,000")
    settles(lambda: any("sv-weighting" in c and "waits for" in c and "Social value weighting" in c for c in checklist()),
            "the checklist names the rules that wait for missing fields")
    # The date pickers, as a keyboard user fills them (days and months that
    # read the same in either order: the browser's locale picks the order).
    label_for("Opportunity published").send_keys("02022026")
    label_for("Engagement with the market began").send_keys("01012026")
    type_into("Price weighting", "60%")
    type_into("Quality weighting", "35%")
    type_into("Social value weighting", "5%")
    driver.find_element(By.XPATH, "//label[normalize-space()='Strong economy']").click()
    driver.find_element(By.XPATH, "//button[normalize-space()='Add a measure']").send_keys(Keys.ENTER)
    type_into("Measure", "NT1")
    type_into("Target", "4")
    type_into("Unit", "local jobs")
    label_for_radio = driver.find_element(By.XPATH, "//fieldset[legend[contains(., 'Social value opted out')]]//label[normalize-space()='No']")
    label_for_radio.click()
    settles(lambda: "sv-weighting" in findings(), "the finding appears: 5% is below the minimum")
    t.check(any("below the 10% minimum" in li.text for li in driver.find_elements(By.CSS_SELECTOR, "#findings li")),
            "with the policy's message")
    t.check(not any("Opportunity published" in c for c in checklist()), "the checklist no longer asks for the date")
    t.check("Delivery and Reporting, 2" in by_id("findings").text, "and the clause it comes from")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(screenshot)
    type_into("Social value weighting", "10%")
    type_into("Quality weighting", "30%")
    settles(lambda: "sv-weighting" not in findings() and by_id("verdict").get_attribute("data-verdict") == "compliant",
            "with 10% the finding goes and the procurement is compliant")
    t.check("NELC Social Value Policy version 2020.1" in by_id("version-in-force").text, "the version in force is named")
    t.check("Leadership Team" in by_id("decisions").text, "the decisions are shown")
    t.check("Who is responsible for the social value" in by_id("decisions").text, "with their titles")
    t.equal(findings(), [], "and nothing else fires (engagement came before publication)")

    by_id("save").click()
    settles(lambda: "revision 1" in by_id("save-status").text, "saving says the revision")
    saved = s.json("GET", "/api/records/NELC-2026-0042")[1]["revisions"][0]["record"]
    t.equal(saved.get("social_value"), {"opt_out": False, "outcomes": ["strong_economy"],
                                         "measures": [{"id": "NT1", "target": "4", "unit": "local jobs"}]},
            "check boxes, yes/no and rows of objects become the record's lists and values")
    t.equal(saved.get("dates"), {"engagement": "2026-01-01", "publication": "2026-02-02"}, "dates from the date picker")

    # a second procurement, so that the search below has one to leave out
    other = {"id": "NELC-2026-0043", "title": "Street lighting", "stage": "planning", "category": "works",
             "value": "80000.00"}
    t.equal(s.json("POST", "/api/records", other)[0], 201, "a second procurement saved through the API")
    driver.refresh()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#fields input"))
    by_id("show-register").click()
    settles(lambda: driver.find_elements(By.CSS_SELECTOR, "tr[data-id='NELC-2026-0042']") and
            len(driver.find_elements(By.CSS_SELECTOR, "#register-rows tr")) == 2, "after a reload the register lists both")
    row = driver.find_element(By.CSS_SELECTOR, "tr[data-id='NELC-2026-0042']")
    t.check("<script>alert(1)</script> Library roof" in row.text, "a title with markup shows as text", row.text)
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#register thead th")]
    t.check("Who is responsible for the social value" in headings, "the register has a column per decision", headings)
    t.check("Leadership Team" in row.text, "and shows what was decided for the procurement", row.text)
    cells = row.find_elements(By.CSS_SELECTOR, "td")
    t.equal(len(cells), len(headings), "every row has a cell under every heading")
    try:
        driver.switch_to.alert
        t.check(False, "no script from a record ever runs")
    except NoAlertPresentException:
        t.check(True, "no script from a record ever runs")
    by_id("filter-q").send_keys("library roof")
    by_id("filter-q").submit()
    settles(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#register-rows tr")) == 1, "a search finds it")
    click_in("tr[data-id='NELC-2026-0042']", "button")
    settles(lambda: label_for("Estimated value (excluding VAT)").get_attribute("value") == "£145,000",
            "opening it brings the record back into the form as typed")
    settles(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#history-rows tr")) == 1, "with its decision log")
finally:
    driver.quit()
    s.stop()
t.done()
