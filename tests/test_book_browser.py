"""Open the built book in a real headless browser and check what a reader sees.

Run ``make book`` first (it builds ``_build/html``), then::

    pytest tests/test_book_browser.py -q

Every page listed in ``_toc.yml`` is its own test, so a failure names the page.
For each page we check that

* it was built (a page in the table of contents but not in ``_build/html`` fails),
* it loads with HTTP status 200, without uncaught JavaScript errors and without
  console errors other than the benign ones listed in ``BENIGN_CONSOLE_ERRORS``,
* every local resource it requests (CSS, scripts, images, the search index) exists,
* every ``<img>`` has loaded,
* every link to another local page points to a file that exists,
* no output area holds an empty ipywidget box (the book never shows live widgets:
  each explorer's output is removed and a static figure is shown instead),
* its article has text, and its code blocks have copy buttons,
* notebook pages have a Colab launch link to the right ``.ipynb`` and a download
  button, and glossary pages have their terms.

The search page must find results for "convolution", and the glossary and a
chapter for Chinese terms such as 反向传播.

The book is served over HTTP on 127.0.0.1 (search and some theme scripts do not
work from ``file://``). Every request to any other host is aborted: the check must
give the same answer with or without a network, and on a machine without one the
CDN scripts (MathJax, thebe, widget managers) could not load anyway.

Sub-path mode (``make publish``, and ``make test-book``): with ``BOOK_BASE_PATH=/course/``
the book is served under that path only, as GitHub Pages serves a project site, so a
link or resource addressed from the server's root fails; ``BOOK_DIR`` checks another
built folder (``_build/publish``). Launch buttons must work: Colab's opens the page's
notebook, and there is no Binder button (PyPI has no CPU-only torch for Binder to use).

Requirements: the Debian/Ubuntu ``chromium`` package and the ``playwright`` Python
package (``apt-get install chromium`` and ``pip install playwright``; the browser
that ``playwright install`` would download is not needed). Without them, or without
a built book, these tests are skipped -- unless the environment variable ``CI`` is
``true`` or ``1``, where they fail instead, so CI cannot pass silently.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

try:
    import yaml
except ImportError:  # pragma: no cover - yaml comes with jupyter-book
    yaml = None

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / os.environ.get("BOOK_DIR", "_build/html")
# "/" or, in sub-path mode, e.g. "/course/": the book is served under it and nowhere else
BASE_PATH = "/" + "/".join(
    p for p in os.environ.get("BOOK_BASE_PATH", "").split("/") if p
)
BASE_PATH = BASE_PATH.rstrip("/") + "/"
TOC = ROOT / "_toc.yml"
HOST = "127.0.0.1"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium",)
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

PAGE_TIMEOUT_MS = 15_000
SEARCH_TIMEOUT_MS = 10_000
SEARCH_QUERY = "convolution"
# The book's glossary page is designed to hold at least this many terms.
MIN_GLOSSARY_TERMS = 25


@dataclass(frozen=True)
class BenignConsoleError:
    """A console error that is expected in this test setup and is not a defect."""

    pattern: re.Pattern[str]
    why: str
    # If True, the message is only ignored when the resource it is about (the
    # console message's source URL) is on another host, i.e. a request we aborted.
    only_for_external_url: bool = False


BENIGN_CONSOLE_ERRORS = (
    BenignConsoleError(
        re.compile(r"^Failed to load resource: net::ERR_FAILED$"),
        "Chromium logs this for every request that the test itself aborts because it "
        "goes to another host (MathJax, require.js and the ipywidgets manager from CDNs). Only "
        "ignored when the failed resource is on another host; a local resource that "
        "fails to load is still an error.",
        only_for_external_url=True,
    ),
    BenignConsoleError(
        re.compile(r"^Got invalid theme mode: \S*\. Resetting to auto\.$"),
        "pydata-sphinx-theme logs this when no light/dark mode is stored in the browser "
        "yet (always so with the fresh profile this test uses); it then uses 'auto', "
        "which is the intended default.",
    ),
)

NOTEBOOK_SUFFIX = ".ipynb"
SOURCE_SUFFIXES = (".ipynb", ".md", ".rst")

# Any of these marks a place where an ipywidget would be displayed. In the static book
# a widget can only render if its JavaScript (from a CDN) and saved state are present;
# otherwise the reader sees an empty box, which the book is designed never to show.
WIDGET_SELECTOR = ", ".join(
    [
        ".jupyter-widgets",
        ".widget-area",
        ".cell_output .output_widget_view",
        'script[type="application/vnd.jupyter.widget-view+json"]',
    ]
)


# ------------------------------------------------------------------ helpers


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(reason: str) -> None:
    """Skip locally, fail under CI: a CI run must never pass by skipping everything."""
    if _in_ci():
        pytest.fail(
            f"{reason} (CI={os.environ.get('CI')!r}, so this is a failure)",
            pytrace=False,
        )
    pytest.skip(reason)


def _toc_docnames(toc_path: Path = TOC) -> list[str]:
    """All documents of the book, in reading order: the root first, then every file entry."""
    data = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    docs: list[str] = []

    def docname(path: str) -> str:
        for suffix in SOURCE_SUFFIXES:
            path = path.removesuffix(suffix)
        return path.replace(os.sep, "/")

    def add(entry: dict) -> None:
        if "file" in entry:
            docs.append(docname(entry["file"]))
        for sub in entry.get("sections", []) or []:
            add(sub)
        for sub in entry.get("chapters", []) or []:
            add(sub)
        for sub in entry.get("parts", []) or []:
            add(sub)

    docs.append(docname(data["root"]))
    add(data)
    return docs


def _source_suffix(docname: str) -> str | None:
    for suffix in SOURCE_SUFFIXES:
        if (ROOT / f"{docname}{suffix}").exists():
            return suffix
    return None


def _page_params() -> list:
    if yaml is None or not TOC.exists():
        missing = "PyYAML" if yaml is None else str(TOC)
        return [
            pytest.param(
                None,
                id="toc-unavailable",
                marks=pytest.mark.skipif(not _in_ci(), reason=f"{missing} missing"),
            )
        ]
    return [pytest.param(doc, id=doc) for doc in _toc_docnames()]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "javascript"}:
        return True
    return parts.hostname == HOST


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _SubPathHandler(_QuietHandler):
    """Serves the book under BASE_PATH only; any other path is 404, as on a real host."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(BASE_PATH):
            return str(Path(self.directory) / "__outside_the_sub_path__")
        return super().translate_path("/" + path[len(BASE_PATH) :])


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser drops connections it no longer needs (a page closed while a
        # request was in flight): not an error of the book, so no traceback for that.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class PageLog:
    """What happened while one page was open."""

    page_errors: list[str] = field(default_factory=list)
    # (message, URL of the script or resource the message is about)
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    # local URL -> first reason it failed (HTTP status or network error)
    local_failures: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """One line per problem; a failed local resource is reported once, not three times."""
        lines = [f"uncaught JavaScript error: {e}" for e in self.page_errors]
        for text, source in self.console_errors:
            if (
                text.startswith("Failed to load resource")
                and source in self.local_failures
            ):
                continue  # the same failure is reported below with its URL
            lines.append(
                f"console error: {text}" + (f" [{_shown(source)}]" if source else "")
            )
        lines += [
            f"local resource failed: {why}: {_shown(url)}"
            for url, why in self.local_failures.items()
        ]
        return lines


def _is_benign(text: str, source_url: str) -> bool:
    for rule in BENIGN_CONSOLE_ERRORS:
        if rule.pattern.search(text):
            if rule.only_for_external_url and (not source_url or _is_local(source_url)):
                continue
            return True
    return False


def _open(context, url: str, log: PageLog):
    """Open ``url`` in a new tab that records errors into ``log``; return (page, response)."""
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        source = (msg.location or {}).get("url", "")
        if not _is_benign(msg.text, source):
            log.console_errors.append((msg.text, source))

    def on_response(response) -> None:
        if _is_local(response.url) and response.status >= 400:
            log.local_failures.setdefault(response.url, f"HTTP {response.status}")

    def on_request_failed(request) -> None:
        if _is_local(request.url):
            log.local_failures.setdefault(
                request.url, f"request failed ({request.failure})"
            )

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    response = page.goto(url, wait_until="load")
    return page, response


def _shown(url: str) -> str:
    """A local URL as a reader would name it: its path, without the test server's port."""
    if _is_local(url) and url.startswith("http"):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def _local_file(url: str, book: Path) -> Path:
    path = unquote(urlsplit(url).path)
    if not path.startswith(
        BASE_PATH
    ):  # a host serving the book at BASE_PATH has no such file
        return book / "__outside_the_sub_path__"
    path = path[len(BASE_PATH) - 1 :]
    if path.endswith("/"):
        path += "index.html"
    return book / path.lstrip("/")


# JavaScript run in the page ------------------------------------------------

# Wait until every image has finished (loaded or failed), then list the broken ones.
_JS_BROKEN_IMAGES = """
async () => {
  const imgs = Array.from(document.images);
  imgs.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  await Promise.all(imgs.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
    setTimeout(done, 5000);
  })));
  return imgs.filter((img) => !(img.complete && img.naturalWidth > 0))
             .map((img) => img.currentSrc || img.src || img.outerHTML.slice(0, 120));
}
"""

_JS_LINKS = """
() => Array.from(document.querySelectorAll("a[href]"))
  .map((a) => a.href)
  .filter((href) => href.startsWith("http:") || href.startsWith("https:"))
"""

# For every widget marker, find the output container a reader would look at and
# report it if it shows nothing: no text and no visible image, canvas or svg.
_JS_EMPTY_WIDGETS = """
(selector) => {
  const shows = (el) => {
    if (el.innerText && el.innerText.trim().length > 0) return true;
    return Array.from(el.querySelectorAll("img, canvas, svg, video")).some((m) => {
      const r = m.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
  };
  const empty = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.tagName === "SCRIPT"
      ? (el.parentElement || el)
      : (el.closest(".output, .cell_output") || el);
    if (!shows(box)) {
      const code = el.closest(".cell")?.querySelector(".cell_input pre")?.innerText || "";
      const firstLine = code.trim().split("\\n")[0].slice(0, 80);
      empty.push(`${el.tagName.toLowerCase()}.${el.className || el.type} ` +
                 `in ${box.tagName.toLowerCase()}.${box.className}` +
                 (firstLine ? `, output of the cell starting ${JSON.stringify(firstLine)}` : ""));
    }
  }
  return empty;
}
"""

_JS_ARTICLE_TEXT = """
() => {
  const el = document.querySelector("article.bd-article")
          || document.querySelector("main article")
          || document.querySelector("article")
          || document.querySelector("main");
  return el ? el.innerText.trim() : null;
}
"""


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def book_dir() -> Path:
    if not (BOOK / "index.html").exists():
        _unavailable(
            f"the book is not built: {BOOK / 'index.html'} is missing; run `make book` first"
        )
    return BOOK


@pytest.fixture(scope="session")
def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    _unavailable(
        "no Chromium found (looked for /usr/bin/chromium and chromium/chromium-browser on PATH); "
        "install it with `apt-get install chromium`"
    )


@pytest.fixture(scope="session")
def server_url(book_dir: Path):
    handler = functools.partial(_SubPathHandler, directory=str(book_dir))
    server = _QuietServer((HOST, 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, name="book-http", daemon=True
    )
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}{BASE_PATH.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    if importlib.util.find_spec("playwright") is None:
        _unavailable(
            "the `playwright` Python package is missing; install it with `pip install playwright`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def context(browser, server_url: str):
    """One browser context for all pages; requests to any host but 127.0.0.1 are aborted."""
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, service_workers="block"
    )

    def only_local(route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            route.abort()  # Chromium then logs "Failed to load resource: net::ERR_FAILED"

    ctx.route("**/*", only_local)
    try:
        yield ctx
    finally:
        ctx.close()


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("docname", _page_params())
def test_page(docname: str | None, book_dir: Path, server_url: str, context) -> None:
    if docname is None:
        pytest.fail(
            f"cannot read the table of contents {TOC} (PyYAML missing or file absent)"
        )
    html = book_dir / f"{docname}.html"
    if not html.exists():
        pytest.fail(
            f"{docname}: missing page: listed in _toc.yml but {html} was not built",
            pytrace=False,
        )

    log = PageLog()
    page, response = _open(context, f"{server_url}/{docname}.html", log)
    try:
        problems = _common_problems(page, response, log, book_dir)
        suffix = _source_suffix(docname)
        if suffix == NOTEBOOK_SUFFIX:
            problems += _notebook_problems(page, docname)
        source = ROOT / f"{docname}{suffix}" if suffix else None
        if source is not None and "{glossary}" in source.read_text(encoding="utf-8"):
            problems += _glossary_problems(page, docname)
    finally:
        page.close()
    _report(docname, problems)


def _search_problems(
    book_dir: Path,
    server_url: str,
    context,
    query: str,
    expected: str | None,
    failure: str,
) -> None:
    """Search the built book for ``query``; a result must appear (linking to ``expected``
    when it is given) within SEARCH_TIMEOUT_MS, else ``failure`` is reported."""
    if not (book_dir / "search.html").exists():
        pytest.fail(
            f"search page: missing page: {book_dir / 'search.html'} was not built",
            pytrace=False,
        )
    log = PageLog()
    page, response = _open(context, f"{server_url}/search.html?q={quote(query)}", log)
    try:
        problems = _common_problems(page, response, log, book_dir, check_article=False)
        try:
            page.wait_for_function(
                """(expected) => [...document.querySelectorAll('#search-results ul.search li a')]
                           .some(a => expected === null
                                      || (a.getAttribute('href') || '').includes(expected))""",
                arg=expected,
                timeout=SEARCH_TIMEOUT_MS,
            )
        except Exception:  # playwright's TimeoutError; imported lazily
            summary = page.evaluate(
                "() => (document.querySelector('#search-results') || document.body).innerText"
            )
            problems.append(
                f"{failure} after {SEARCH_TIMEOUT_MS / 1000:.0f} s; "
                f"the page says: {summary.strip()[:300]!r}"
            )
    finally:
        page.close()
    _report(f"search.html?q={query}", problems)


def test_search_finds_results(book_dir: Path, server_url: str, context) -> None:
    failure = f"no search results for {SEARCH_QUERY!r}"
    _search_problems(book_dir, server_url, context, SEARCH_QUERY, None, failure)


# Chinese terms a reader types into the search box, and a page each must find: the
# glossary gives every term's Chinese name; 梯度 (2 characters) is only part of its
# terms, and 自监督学习 only stands inside a sentence of the history chapter's 中文导读.
# Sphinx's English index finds neither; _ext/cjk_search.py indexes the pieces of Chinese.
CHINESE_SEARCHES = (
    ("反向传播", "glossary.html"),
    ("学习率", "glossary.html"),
    ("梯度", "glossary.html"),
    ("自监督学习", "chapters/01_history/index.html"),
)


@pytest.mark.parametrize(("query", "expected"), CHINESE_SEARCHES)
def test_search_finds_a_chinese_term(
    query: str, expected: str, book_dir: Path, server_url: str, context
) -> None:
    failure = (
        f"searching for {query!r} does not list {expected} (is html_search_language "
        "en_zh, with _ext/cjk_search.py, in _config.yml?)"
    )
    _search_problems(book_dir, server_url, context, query, expected, failure)


def test_genindex(book_dir: Path, server_url: str, context) -> None:
    if not (book_dir / "genindex.html").exists():
        pytest.skip("genindex.html was not built")
    log = PageLog()
    page, response = _open(context, f"{server_url}/genindex.html", log)
    try:
        problems = _common_problems(page, response, log, book_dir)
    finally:
        page.close()
    _report("genindex", problems)


def test_index_redirects_to_root(book_dir: Path, server_url: str, context) -> None:
    """``index.html`` (what a web server shows first) must lead to the book's root page."""
    root = _toc_docnames()[0]
    log = PageLog()
    page, _ = _open(context, f"{server_url}/index.html", log)
    try:
        page.wait_for_url(f"**/{root}.html", timeout=PAGE_TIMEOUT_MS)
    except Exception:
        _report("index.html", [f"does not lead to {root}.html; ended on {page.url}"])
    finally:
        page.close()


# ------------------------------------------------------------------ checks


def _common_problems(
    page, response, log: PageLog, book_dir: Path, check_article: bool = True
):
    problems: list[str] = []
    if response is None:
        problems.append("no HTTP response")
    elif response.status != 200:
        problems.append(f"HTTP status {response.status}, expected 200")

    broken = page.evaluate(_JS_BROKEN_IMAGES)
    problems += [
        f"image did not load: {_shown(src)}"
        + (
            ""
            if _is_local(src)
            else " (external images are blocked here; ship the image with the book)"
        )
        for src in broken
    ]

    missing_targets = sorted(
        {
            href.split("#")[0]
            for href in page.evaluate(_JS_LINKS)
            if _is_local(href) and not _local_file(href, book_dir).is_file()
        }
    )
    problems += [
        f"broken local link: {_shown(href)} (no such file in _build/html)"
        for href in missing_targets
    ]

    problems += [
        f"empty widget box: {desc}"
        for desc in page.evaluate(_JS_EMPTY_WIDGETS, WIDGET_SELECTOR)
    ]

    code_blocks = page.locator("article div.highlight pre").count()
    if code_blocks and page.locator("article button.copybtn").count() == 0:
        problems.append(
            f"{code_blocks} code block(s) but no copy button (sphinx-copybutton)"
        )

    if check_article:
        text = page.evaluate(_JS_ARTICLE_TEXT)
        if text is None:
            problems.append("no <article> or <main> element")
        elif not text:
            problems.append("the article is empty")

    problems += _math_problems(page)

    # Let late scripts (deferred, async) run before reading the logs.
    page.wait_for_timeout(100)
    return problems + log.problems()


def _math_problems(page) -> list[str]:
    """Every equation on the page typeset by MathJax, none with a TeX error."""
    equations = page.locator("article .math").count()
    if not equations:
        return []
    try:
        # MathJax 3 resolves startup.promise once the first typesetting pass is done.
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
            " && MathJax.startup.promise.then(() => true)",
            timeout=15_000,
        )
    except Exception:
        return [f"{equations} equation(s) but MathJax did not load (offline copy?)"]
    problems = []
    typeset = page.locator("article .math mjx-container").count()
    if typeset < equations:
        problems.append(f"{equations - typeset} of {equations} equation(s) not typeset")
    errors = page.eval_on_selector_all(
        "article mjx-merror", "els => els.map(e => e.getAttribute('data-mjx-error'))"
    )
    problems += [f"TeX error in an equation: {error}" for error in errors]
    # MathJax's 'noundefined' extension shows an unknown macro as red text, not an error.
    undefined = page.locator('article mjx-mtext[style*="color: red"]').count()
    if undefined:
        problems.append(f"{undefined} undefined TeX macro(s), shown in red on the page")
    return problems


def _notebook_problems(page, docname: str) -> list[str]:
    problems: list[str] = []
    colab = page.eval_on_selector_all(
        'a[href^="https://colab.research.google.com/"]', "els => els.map(e => e.href)"
    )
    if not colab:
        problems.append(
            "no Colab launch button (check launch_buttons and repository in _config.yml)"
        )
    elif not any(href.endswith(f"/{docname}{NOTEBOOK_SUFFIX}") for href in colab):
        problems.append(
            f"Colab launch link does not open {docname}{NOTEBOOK_SUFFIX}: {colab}"
        )
    binder = page.eval_on_selector_all(
        'a[href*="mybinder"]', "els => els.map(e => e.href)"
    )
    if binder:
        problems.append(
            f"a Binder button, but Binder cannot install the course: {binder}"
        )
    if (
        page.query_selector(".btn-download-source-button, .dropdown-download-buttons")
        is None
    ):
        problems.append("no download button (html_theme_options.use_download_button)")
    return problems


def _glossary_problems(page, docname: str) -> list[str]:
    terms = page.eval_on_selector_all(
        "dl.glossary > dt",
        "els => els.map(e => ({id: e.id, text: e.innerText.trim()}))",
    )
    problems: list[str] = []
    if not terms:
        problems.append("the glossary has no terms (no dl.glossary > dt)")
    if docname == "glossary" and 0 < len(terms) < MIN_GLOSSARY_TERMS:
        problems.append(
            f"the glossary has {len(terms)} terms, expected at least {MIN_GLOSSARY_TERMS}"
        )
    problems += [
        f"glossary term without anchor or text: {t}"
        for t in terms
        if not (t["id"] and t["text"])
    ]
    return problems


def _report(where: str, problems: list[str]) -> None:
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        pytest.fail(f"{where}: {len(problems)} problem(s):\n{lines}", pytrace=False)


def test_sub_path_serves_only_under_it(book_dir: Path, server_url: str) -> None:
    """In sub-path mode the server, like GitHub Pages, has nothing at the root."""
    if BASE_PATH == "/":
        pytest.skip("not in sub-path mode (BOOK_BASE_PATH unset)")
    import urllib.error
    import urllib.request

    root = server_url.removesuffix(BASE_PATH.rstrip("/"))
    with urllib.request.urlopen(f"{server_url}/index.html") as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{root}/index.html")
