"""JupyterLab as students use it: open a notebook in a real browser, run it all.

A JupyterLab server is started on 127.0.0.1 (free port, random token) on a
temporary copy of notebooks/, so nothing the browser does can touch the
repository's notebooks, and with its own settings and workspace folders. The
first notebook (in name order) that has figures is opened in Chromium and run
with the menu command Run > Run All Cells; every code cell must then carry an
execution count, none may show an error, and the figures must appear. The
interactive EM notebook is run the same way and its widget must respond to a
click. The server is shut down through its API, then (if needed) its
process group is terminated.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
START_TIMEOUT = 120  # seconds for the server to answer
RUN_TIMEOUT = 120_000  # milliseconds for Run All to finish
WIDGET_NOTEBOOK = "09_interactive_em.ipynb"
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


def stored_image_count(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return sum("image/png" in output.get("data", {})
               for cell in notebook["cells"] for output in cell.get("outputs", []))


def first_notebook_with_figures():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if stored_image_count(path):
            return path.name
    pytest.skip("no notebook with figures to open")


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


@pytest.fixture(scope="module")
def lab(tmp_path_factory, free_port):
    workdir = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOKS, workdir / "notebooks",
                    ignore=shutil.ignore_patterns(".*", "__pycache__"))
    # Start from empty outputs, as a student does, so every prompt and figure
    # the test sees was made by this run.
    for path in (workdir / "notebooks").glob("*.ipynb"):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        path.write_text(json.dumps(notebook))
    settings = workdir / "settings"
    # Render every cell (no windowing), so the test sees all outputs at once,
    # and never fetch news or check for updates (there is no network).
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                         "checkForUpdates": False},
    }.items():
        target = settings / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, MPLBACKEND=INLINE_BACKEND,
               JUPYTER_CONFIG_DIR=str(workdir / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"))
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={workdir}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.news_url=None"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(workdir / "server.log", "w")
    server = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail("JupyterLab exited early:\n"
                            + (workdir / "server.log").read_text()[-4000:])
            try:
                if _get(f"{url}/api/status?token={token}") == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT} s:\n"
                            + (workdir / "server.log").read_text()[-4000:])
            time.sleep(0.5)
        yield {"url": url, "token": token, "log": workdir / "server.log"}
    finally:
        _stop(server, url, token)
        log.close()


def _stop(server, url, token):
    """Shut the server (and its kernels) down through its API; else end its process group."""
    if server.poll() is None:
        try:
            request = urllib.request.Request(f"{url}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            break
        os.killpg(server.pid, sig)  # the group of the server we started, kernels included
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass


def open_and_run_all(page, lab, name, artifacts):
    """Open notebooks/NAME in JupyterLab, wait for its kernel, run all cells via the menu."""
    # A workspace of its own, so that only this notebook is open: the server
    # would otherwise restore the tabs that an earlier test left open.
    workspace = "test-" + Path(name).stem
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/notebooks/{name}"
              f"?token={lab['token']}")
    try:
        page.locator(NOTEBOOK + " .jp-Cell").first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function(
            "() => { const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
            " return s && s.getAttribute('data-status') === 'idle'; }", timeout=120_000)
        # Unfold the solution cells (View > Expand All Code), so every code cell
        # shows its prompt, then Run > Run All Cells.
        choose_from_menu(page, "View", "Expand All Code")
        choose_from_menu(page, "Run", "Run All Cells")
        # Done when the kernel is idle again and every code cell has a number in its prompt.
        _wait_for_run_all(page)
    except Exception as error:  # show what the page looked like, and what the server said
        page.screenshot(path=str(artifacts / "jupyterlab" / f"{name}-failed.png"))
        prompts = page.locator(NOTEBOOK + " .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        server_log = Path(lab["log"]).read_text(errors="replace")[-3000:]
        raise AssertionError(f"Run All did not finish: {error}\nprompts: {prompts}\n"
                             f"server log (end):\n{server_log}") from None


def choose_from_menu(page, menu, item, timeout=60):
    """Click MENU > ITEM in the menu bar, as a student does.

    Notebook commands are enabled only while the notebook is the active panel,
    which a freshly loaded page may not have settled yet; so click into the
    notebook first, and reopen the menu until the item is enabled.
    """
    label = re.compile(f"^{re.escape(item)}$")
    deadline = time.monotonic() + timeout
    while True:
        # on the first cell's prompt area, never on a link in its text
        page.locator(NOTEBOOK + " .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        entry = page.locator(".lm-Menu-item").filter(
            has=page.locator(".lm-Menu-itemLabel", has_text=label))
        entry.wait_for(state="visible")
        if "lm-mod-disabled" not in (entry.get_attribute("class") or ""):
            entry.click()
            return
        page.keyboard.press("Escape")  # close the menu and try again
        if time.monotonic() > deadline:
            raise AssertionError(f"{menu} > {item} stayed disabled for {timeout} s")
        time.sleep(1)


def _wait_for_run_all(page):
    # A cell has run when its input prompt, or (if its input is still folded,
    # which hides that prompt) one of its output prompts, shows an execution count.
    page.wait_for_function(
        "() => { const cells = [...document.querySelectorAll("
        f"'{NOTEBOOK} .jp-CodeCell')];"
        " const ran = c => [...c.querySelectorAll('.jp-InputPrompt, .jp-OutputPrompt')]"
        ".some(p => /\\[\\d+\\]/.test(p.textContent));"
        " const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return cells.length > 0 && cells.every(ran)"
        " && s && s.getAttribute('data-status') === 'idle'; }", timeout=RUN_TIMEOUT)


def error_outputs(page):
    """Texts of the outputs that show a Python error."""
    texts = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                         ).all_inner_texts()
    return [t for t in texts if "Traceback" in t or re.search(r"^\w+(Error|Exception)\b", t, re.M)]


def loaded_figures(page):
    return page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
                         ".filter(img => img.complete && img.naturalWidth > 0).length")


def test_first_notebook_runs_in_jupyterlab(lab, watched_page, artifacts):
    name = first_notebook_with_figures()
    page = watched_page.page
    open_and_run_all(page, lab, name, artifacts)
    page.screenshot(path=str(artifacts / "jupyterlab" / f"{name}.png"), full_page=False)
    assert not error_outputs(page), "\n\n".join(error_outputs(page))
    expected = stored_image_count(NOTEBOOKS / name)
    figures = loaded_figures(page)
    assert figures >= expected, f"{figures} figures appeared; {name} stores {expected}"


def test_interactive_em_widget_responds_in_jupyterlab(lab, watched_page, artifacts):
    if not (NOTEBOOKS / WIDGET_NOTEBOOK).is_file():
        pytest.skip(f"{WIDGET_NOTEBOOK} does not exist")
    page = watched_page.page
    open_and_run_all(page, lab, WIDGET_NOTEBOOK, artifacts)
    assert not error_outputs(page), "\n\n".join(error_outputs(page))
    widget = page.locator(".jupyter-widgets.widget-vbox").first
    widget.wait_for(state="visible", timeout=60_000)
    image = widget.locator("img").first
    status = widget.locator(".widget-html-content").first
    before = image.get_attribute("src")
    assert "iteration <b>0</b>" in status.inner_html() or "iteration 0" in status.inner_text()
    widget.locator("button", has_text="step ▶").click()
    # The kernel redraws the figure and the status line; both reach the page.
    page.wait_for_function(
        "([img, status, old]) => img.getAttribute('src') !== old"
        " && status.textContent.includes('iteration 1 of')",
        arg=[image.element_handle(), status.element_handle(), before], timeout=60_000)
    page.screenshot(path=str(artifacts / "jupyterlab" / "09_widget.png"), full_page=False)
