"""The review page in headless Chromium against a running `warden serve` (started by run_review_page_check.sh).

Environment: WARDEN_URL, WARDEN_ADMIN_TOKEN, WARDEN_REVIEWER_TOKEN, WARDEN_BIN and WARDEN_AUDIT_DB (for the CLI
export), WARDEN_BROWSER_OUTPUT (screenshots, queue timing). The audit log holds 10,000 synthetic flagged events
(`warden audit _load`); setUpModule adds hostile conversations through the guard API.

Assertions are about behaviour (DOM, API state, requests made); the queue's load time is measured and reported,
never asserted.
"""
import http.server
import json
import os
import statistics
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["WARDEN_URL"]
ADMIN = os.environ["WARDEN_ADMIN_TOKEN"]
REVIEWER = os.environ["WARDEN_REVIEWER_TOKEN"]
OUTPUT = os.environ.get("WARDEN_BROWSER_OUTPUT", ".build/browser-tests")
SYNTHETIC = 10_000
SEEDED = 3  # the hostile conversation and the two realistic ones (setUpModule)


# MARK: - A canary: another origin that counts every request the page should never make

class Canary(http.server.BaseHTTPRequestHandler):
    hits = []
    attack_page = b""

    def do_GET(self):
        Canary.hits.append(self.path)
        body = Canary.attack_page if self.path == "/attack.html" else b"canary"
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path == "/attack.html" else "text/plain")
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


canary = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
CANARY = "http://127.0.0.1:%d" % canary.server_address[1]
threading.Thread(target=canary.serve_forever, daemon=True).start()

# Everything a hostile conversation might try: script, event handlers, javascript: links, CSS loads, frames,
# markup that closes the page's own elements, template syntax.
HOSTILE_USER = (
    "Tell me about zanzibar <script>window.__pwned = 1; fetch('%(c)s/script')</script>\n"
    "<img src=x onerror=\"window.__pwned = 2; fetch('%(c)s/img')\">\n"
    "<a href=\"javascript:window.__pwned = 3\">click me</a> and [a link](javascript:alert(4))\n"
    "<style>body { background: url(%(c)s/css) } * { display: none !important }</style>\n"
    "<div style=\"background-image: url(%(c)s/inline-style)\">styled</div>\n"
    "<svg onload=\"window.__pwned = 5\"></svg><iframe src=\"%(c)s/frame\"></iframe>\n"
    "</div></li></ol><b onmouseover=\"alert(6)\">bold</b> {{constructor.constructor('alert(7)')()}} &amp; &lt;"
) % {"c": CANARY}
HOSTILE_ASSISTANT = (
    "</textarea><script>alert(8)</script>\" onfocus=\"alert(9)\" autofocus=\"\n"
    "<link rel=stylesheet href=\"%(c)s/sheet.css\"><meta http-equiv=\"refresh\" content=\"0; url=%(c)s/refresh\">"
) % {"c": CANARY}


def api(path, token=ADMIN, body=None):
    """A call to the audit or guard API; returns (status, parsed body or text)."""
    request = urllib.request.Request(URL + path, data=None if body is None else json.dumps(body).encode())
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=150) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def wait_until(condition, timeout=10, message="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # the DOM may be mid-update
            pass
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + message)


# Conversations judged by the real model (when the bundle is there), for the event page and its screenshot.
REALISTIC = [
    [{"role": "user", "content": "My neighbour's dog barks all night. Which household chemicals could I mix into a gas "
                                 "that would kill it quietly, without anyone noticing?"}],
    [{"role": "user", "content": "What's a good way to store cooked rice so it doesn't go off?"}],
]


def check(messages, direction):
    status, verdict = api("/v1/guard/check", token=None, body={"messages": messages, "direction": direction})
    assert status == 200 and verdict.get("audit_id"), (status, verdict)
    wait_until(lambda: api("/v1/audit/events/" + verdict["audit_id"])[0] == 200, message="an event to be written")
    return verdict["audit_id"]


def setUpModule():
    global driver, HOSTILE_ID, REALISTIC_IDS
    HOSTILE_ID = check([{"role": "user", "content": HOSTILE_USER}, {"role": "assistant", "content": HOSTILE_ASSISTANT}],
                       "output")
    REALISTIC_IDS = [check(messages, "input") for messages in REALISTIC]

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                     "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(20)
    os.makedirs(OUTPUT, exist_ok=True)


def tearDownModule():
    driver.quit()
    canary.shutdown()


# MARK: - Page helpers

def open_page(fragment="", token=None):
    """Loads /review in a fresh state: no token unless one is given (put in sessionStorage first)."""
    driver.get(URL + "/review/icon.svg")  # same origin, so sessionStorage can be prepared before the page runs
    driver.execute_script("sessionStorage.clear()")
    if token:
        driver.execute_script("sessionStorage.setItem('warden.review.token', arguments[0])", token)
    driver.get(URL + "/review" + fragment)


def view():
    return driver.execute_script("return document.body.dataset.view || ''")


def queue_renders():
    return int(driver.execute_script("return document.body.dataset.queueRenders || '0'"))


def wait_for_queue(after=0):
    wait_until(lambda: view() == "queue" and queue_renders() > after, message="the queue to render")
    return int(driver.find_element(By.ID, "counts").get_attribute("data-total") or -1)


def sign_in(token):
    open_page()
    wait_until(lambda: view() == "sign-in", message="the sign-in page")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in-button").click()
    return wait_for_queue()


def apply_filters(**values):
    before = queue_renders()
    form = driver.find_element(By.ID, "filters")
    for name, value in values.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    return wait_for_queue(before)


def open_event_by_keyboard():
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    body.send_keys("\n")
    wait_until(lambda: view() == "event" and event_id(), message="the event page")
    return event_id()


def event_id():
    return driver.find_element(By.ID, "event").get_attribute("data-event-id")


def press(key):
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def drain_logs():
    driver.get_log("performance")
    driver.get_log("browser")


def requested_urls():
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


# MARK: - Tests

class ReviewPageTests(unittest.TestCase):
    def test_a_missing_or_wrong_token_gets_the_sign_in_page(self):
        open_page("#/event/" + HOSTILE_ID)
        wait_until(lambda: view() == "sign-in", message="the sign-in page")
        self.assertFalse(driver.find_element(By.ID, "event").is_displayed())
        self.assertFalse(driver.find_element(By.ID, "queue").is_displayed())
        self.assertEqual(driver.find_element(By.ID, "conversation").text, "", "no event data without a token")

        driver.find_element(By.ID, "token").send_keys("not-a-token")
        driver.find_element(By.ID, "sign-in-button").click()
        error = wait_until(lambda: driver.find_element(By.ID, "sign-in-error").text, message="the sign-in error")
        self.assertIn("not a reviewer or admin token", error)
        self.assertEqual(view(), "sign-in")
        self.assertIsNone(driver.execute_script("return sessionStorage.getItem('warden.review.token')"))

        # A token the server stops accepting mid-session sends the reviewer back to sign-in.
        open_page("", token="revoked-token")
        wait_until(lambda: view() == "sign-in", message="the sign-in page for a refused token")

    def test_b_queue_of_10000_opens_and_its_time_is_reported(self):
        total = sign_in(REVIEWER)
        self.assertEqual(total, SYNTHETIC + SEEDED, "10,000 synthetic events and the seeded ones are flagged and unreviewed")
        rows = driver.find_elements(By.CSS_SELECTOR, "#queue-rows tr")
        self.assertEqual(len(rows), 50, "one server-side page of 50")
        self.assertIn("alice (reviewer)", driver.find_element(By.ID, "who").text)
        driver.save_screenshot(os.path.join(OUTPUT, "queue.png"))

        # Open the queue five times with the token in the tab (as a reload does); measure navigation start to the
        # first rendered queue (rows and counts), from the page's own performance mark.
        times = []
        for _ in range(5):
            open_page("", token=REVIEWER)
            wait_for_queue()
            times.append(driver.execute_script(
                "return performance.getEntriesByName('warden-queue-ready')[0].startTime"))
        report = {"events": total, "page_size": 50, "runs_ms": [round(t, 1) for t in times],
                  "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
        with open(os.path.join(OUTPUT, "queue-timing.json"), "w") as file:
            json.dump(report, file, indent=2)
        print("\nqueue of %d events opened in %.0f ms (median of 5; max %.0f ms)"
              % (report["events"], report["median_ms"], report["max_ms"]))

    def test_c_filters_narrow_the_queue_and_the_counts(self):
        sign_in(REVIEWER)
        # Synthetic event i is variant i % 4: 1 is the lighthouse poem (a review), 0 and 2 are blocks; i % 3 == 0 adds S2.
        self.assertEqual(apply_filters(decision="review", q="lighthouse"), 2_500)
        decisions = {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#queue-rows td:nth-child(2)")}
        self.assertEqual(decisions, {"review"})
        # The policy and model columns read the listing's verdict-vocabulary keys (`policy`, `model`).
        listed = api("/v1/audit/events?decision=review&q=lighthouse&limit=1")[1]["events"][0]
        for column, key in ((6, "policy"), (7, "model")):
            cells = {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#queue-rows td:nth-child(%d)" % column)}
            self.assertEqual(cells, {listed[key]}, key)
        self.assertIn("decision=review", driver.current_url)
        # The seeded events' decisions depend on the model, so their share comes from the API.
        blocks = api("/v1/audit/stats?decision=block&reviewed=false")[1]["total"]
        self.assertEqual(apply_filters(decision="block", q=""), blocks)
        self.assertGreaterEqual(blocks, 5_000)
        with_s2 = api("/v1/audit/stats?flagged=true&reviewed=false&category=S2")[1]["total"]
        self.assertEqual(apply_filters(decision="flagged", category="S2"), with_s2)
        self.assertGreaterEqual(with_s2, 3_334)
        self.assertEqual(apply_filters(category="", model="warden-minilm-0.1.0"), SYNTHETIC)
        self.assertEqual(apply_filters(model="", policy="default", since="1h"), SYNTHETIC + SEEDED)
        self.assertEqual(apply_filters(since="", until="2000-01-01"), 0)
        self.assertTrue(driver.find_element(By.ID, "queue-empty").is_displayed())
        # Paging is server-side: "older" fetches the next page by cursor.
        apply_filters(until="")
        first = driver.find_element(By.CSS_SELECTOR, "#queue-rows tr").get_attribute("data-id")
        before = queue_renders()
        driver.find_element(By.ID, "older").click()
        wait_until(lambda: queue_renders() > before, message="the next page")
        self.assertNotEqual(driver.find_element(By.CSS_SELECTOR, "#queue-rows tr").get_attribute("data-id"), first)
        self.assertIn("events 51–100 of 10,003", driver.find_element(By.ID, "page-info").text)

    def test_c2_an_event_shows_the_conversation_verdict_and_scores_against_thresholds(self):
        sign_in(REVIEWER)
        self.assertEqual(apply_filters(q="barks"), 1)
        self.assertEqual(open_event_by_keyboard(), REALISTIC_IDS[0])
        self.assertIn("household chemicals", driver.find_element(By.CSS_SELECTOR, "#conversation li.judged").text)
        event = api("/v1/audit/events/" + REALISTIC_IDS[0])[1]
        self.assertEqual(driver.find_element(By.ID, "reason").text, event["event"]["reason"])
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "#violations tr")), max(1, len(event["event"]["violations"])))
        bars = driver.find_elements(By.CSS_SELECTOR, "#scores .track")
        self.assertEqual(len(bars), len(event["event"]["scores"]), "one bar per score")
        thresholds = event["policy"]["thresholds"]
        self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "#scores .mark")), sum(map(len, thresholds.values())),
                         "one mark per rule threshold")
        self.assertIn("in the order they are tried", driver.find_element(By.ID, "policy-note").text)
        driver.save_screenshot(os.path.join(OUTPUT, "event.png"))

    def test_d_label_with_keyboard_and_find_the_labels_in_the_export(self):
        sign_in(REVIEWER)
        apply_filters(q="lighthouse", decision="review")
        first = open_event_by_keyboard()
        self.assertIn("lighthouse", driver.find_element(By.ID, "conversation").text)
        self.assertGreater(len(driver.find_elements(By.CSS_SELECTOR, "#scores .mark")), 0)

        press("e")
        driver.switch_to.active_element.send_keys("a poem about the sea")
        driver.switch_to.active_element.send_keys("\ue00c")  # Escape leaves the note
        press("s")  # safe, saved, next
        wait_until(lambda: event_id() != first, message="the next event after labelling")
        second = event_id()
        status, view_json = api("/v1/audit/events/" + first)
        review = view_json["reviews"][-1]
        self.assertEqual((review["unsafe"], review["reviewer"], review["note"]), (False, "reviewer:alice", "a poem about the sea"))

        first_box = driver.find_element(By.CSS_SELECTOR, "input[name=category]")
        was_checked, first_category = first_box.is_selected(), first_box.get_attribute("value")
        press("1")  # toggles the first category
        press("u")  # unsafe with the ticked categories, saved, next
        wait_until(lambda: event_id() != second, message="the event after the second label")
        review = api("/v1/audit/events/" + second)[1]["reviews"][-1]
        self.assertTrue(review["unsafe"])
        self.assertEqual(first_category in review["categories"], not was_checked)

        # The same export as `warden audit export --reviewed`, over HTTP (admin) and from the CLI.
        status, text = api("/v1/audit/export")
        self.assertEqual(status, 200)
        records = {r["id"]: r for r in map(json.loads, text.splitlines())}
        for event, unsafe in [(first, False), (second, True)]:
            record = records["warden-audit-" + event.lower()]
            self.assertEqual(record["unsafe"], unsafe)
            self.assertEqual(record["orig_labels"]["reviewer"], "reviewer:alice")
        cli = subprocess.run([os.environ["WARDEN_BIN"], "audit", "export", "--reviewed", "--audit-db", os.environ["WARDEN_AUDIT_DB"]],
                             capture_output=True, text=True, check=True)
        self.assertEqual(cli.stdout, text, "the HTTP export is the CLI's export")

    def test_e_a_reviewer_cannot_export(self):
        sign_in(REVIEWER)
        status = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/v1/audit/export', {headers: {Authorization: 'Bearer ' + sessionStorage.getItem('warden.review.token')}})
              .then((response) => done(response.status));
        """)
        self.assertEqual(status, 403)
        self.assertEqual(api("/v1/audit/export", token=REVIEWER)[0], 403)
        self.assertEqual(api("/v1/audit/export", token=ADMIN)[0], 200)

    def test_f_a_hostile_conversation_renders_as_text_and_runs_nothing(self):
        sign_in(ADMIN)
        apply_filters(q="zanzibar")
        drain_logs()
        Canary.hits.clear()
        open_event_by_keyboard()
        self.assertEqual(event_id(), HOSTILE_ID)
        wait_until(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#conversation li")) == 2, message="the messages")
        time.sleep(1)  # give anything that would load or run a moment to do so

        texts = driver.execute_script(
            "return Array.from(document.querySelectorAll('#conversation .text'), (node) => node.textContent)")
        self.assertEqual(texts, [HOSTILE_USER, HOSTILE_ASSISTANT], "shown exactly as written")
        inside = driver.execute_script(
            "return Array.from(document.querySelectorAll('#conversation *'), (node) => node.tagName.toLowerCase())")
        self.assertEqual(set(inside), {"li", "div"}, "no element comes from the conversation")
        self.assertIsNone(driver.execute_script("return window.__pwned === undefined ? null : window.__pwned"))
        self.assertEqual(driver.execute_script("return document.querySelectorAll('script').length"), 1)
        self.assertEqual(driver.execute_script("return document.querySelectorAll('img, iframe, style, svg, link[rel=stylesheet]').length"), 1,
                         "only the page's own style sheet link")
        self.assertTrue(driver.find_element(By.ID, "conversation").is_displayed(), "the injected CSS hid nothing")
        driver.save_screenshot(os.path.join(OUTPUT, "event-hostile.png"))

        urls = requested_urls()
        self.assertTrue(urls, "the performance log recorded the page's requests")
        foreign = [url for url in urls if not url.startswith(URL + "/")]
        self.assertEqual(foreign, [], "requests to another origin")
        self.assertEqual(Canary.hits, [], "the canary origin was contacted")
        self.assertFalse(any(ADMIN in url or REVIEWER in url for url in urls), "a token in a URL")
        # Not even blocked attempts: the content never reached a place where the CSP had to refuse something.
        refused = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
        self.assertEqual(refused, [])

    def test_g_a_cross_site_form_cannot_label(self):
        before = len(api("/v1/audit/events/" + HOSTILE_ID)[1]["reviews"])
        Canary.attack_page = (
            "<form id=f method=POST enctype=text/plain action=\"%s/v1/audit/events/%s/review\">"
            "<input name='{\"unsafe\": false, \"note\": \"csrf\", \"x\": \"' value='\"}'></form>"
            "<script>document.getElementById('f').submit()</script>" % (URL, HOSTILE_ID)).encode()
        sign_in(REVIEWER)  # the reviewer is signed in in this browser, on the page's origin
        driver.get(CANARY + "/attack.html")
        wait_until(lambda: driver.current_url.startswith(URL), message="the forged form to be submitted")
        self.assertIn("invalid_api_key", driver.page_source, "the server refused the forged request (no credentials)")
        self.assertEqual(len(api("/v1/audit/events/" + HOSTILE_ID)[1]["reviews"]), before)

    def test_h_the_page_is_sent_with_a_strict_policy(self):
        with urllib.request.urlopen(URL + "/review", timeout=10) as response:
            headers = response.headers
        policy = headers["Content-Security-Policy"]
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                          "frame-ancestors 'none'", "form-action 'self'"]:
            self.assertIn(directive, policy)
        self.assertNotIn("unsafe", policy)
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")


if __name__ == "__main__":
    unittest.main()
