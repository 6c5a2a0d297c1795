"""No traceback from the CLI: a list whose content does not match its extension, a list damaged
further in, a `--limit` out of range, an API that answers 500 — each is one line saying what is
wrong, and a non-zero exit code. The API here is a stand-in on a free port (a real HTTP server in a
thread) that signs in anyone and answers as the test says."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from contracts.envelope import Actor, FederationLevel
from services.cli.app import app
from services.importing.runner import KINDS, prepare
from services.intake.idcard import parse_id_number
from services.platform.settings import RuntimeInfo
from tooling.synthetic.idcard import synthetic_id_number
from tests.e2e.test_importing import BOY, child_row, write_csv

Answer = Callable[[str, str, dict], tuple[int, str | dict]]  # (method, path, body) -> (status, body)
HEADERS = list(child_row())
NATIONAL = Actor(operator_id="t", level=FederationLevel.national, region="CN")


def registered(_method: str, path: str, body: dict) -> tuple[int, dict]:
    """The intake service's answer to a bulk registration: every row registered."""
    if path.startswith("/commands/intake/register_children"):
        return 201, {"rows": [{"status": "registered", "id": f"c{i}"} for i, _ in enumerate(body["rows"])]}
    return 404, {"code": "not_found", "message": "no such route", "details": []}


def failing(_method: str, _path: str, _body: dict) -> tuple[int, str]:
    return 500, "Internal Server Error"  # what Starlette (or a proxy) answers for an unhandled fault


class StandIn:
    """An HTTP API on a free port: POST /auth/token signs in anyone, the rest is `answer`'s."""

    def __init__(self, answer: Answer) -> None:
        outer = self
        self.answer = answer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/auth/token":
                    status, body = 200, {"access_token": "t", "token_type": "bearer", "expires_in": 900}
                else:
                    status, body = outer.answer(self.command, self.path, json.loads(raw) if raw[:1] == b"{" else {})
                content = json.dumps(body).encode() if isinstance(body, dict) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = _reply

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[StandIn]:
    stand_in = StandIn(registered)
    RuntimeInfo(1, "nats://127.0.0.1:1", stand_in.url, "", "").write(tmp_path)
    (tmp_path / "credential.json").write_text(json.dumps({"username": "admin", "password": "pw"}))
    yield stand_in
    stand_in.close()


def aixin(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)], env={"COLUMNS": "1000"})
    return result.exit_code, result.output


def one_line(code: int, out: str, exit_code: int, *words: str) -> None:
    """One line saying what is wrong (an import's progress bar may stand above it), the exit code."""
    lines = out.strip().splitlines()
    assert "Traceback" not in out and lines[-1].startswith("error:"), out
    assert all(line.startswith("importing ") for line in lines[:-1]), out
    assert code == exit_code, (code, out)
    for word in words:
        assert word in lines[-1], out


def workbook(rows: int) -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for i in range(rows):
        number = synthetic_id_number("440105", date(2016, 3, 8), parse_id_number(BOY).sex, i + 1)
        book.active.append(list(child_row(身份证号=number, 姓名=f"李{i}").values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def damaged_after(data: bytes, keep: float) -> bytes:
    """The workbook with its sheet's XML cut short: the zip is sound, the sheet ends mid-way."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item, content[:int(len(content) * keep)] if item.filename.endswith("sheet1.xml") else content)
    return out.getvalue()


def test_a_list_is_read_as_its_content_says_whatever_its_extension(api, tmp_path: Path) -> None:
    as_csv = tmp_path / "名单.csv"
    as_csv.write_bytes(workbook(2))  # an XLSX renamed .csv
    code, out = aixin(tmp_path, "import", "children", str(as_csv))
    assert code == 0 and "XLSX" in out and "registered 2" in " ".join(out.split()), out
    for name in ("名单.xls", "名单-2.xlsx"):  # an XLSX renamed .xls; a CSV renamed .xlsx
        path = tmp_path / name
        path.write_bytes(workbook(1) if name.endswith(".xls") else write_csv(tmp_path / "x.csv", [child_row()]).read_bytes())
        code, out = aixin(tmp_path, "import", "children", str(path))
        assert code == 0 and "registered 1" in " ".join(out.split()), out


@pytest.mark.parametrize(("content", "words"), [
    (b"\xd0\xcf\x11\xe0" + b"\0" * 600, ["old Excel .xls workbook"]),
    (b"PK\x03\x04 not really a zip", ["not a readable XLSX workbook"]),
    (b"\xff\xfe" + b"\x00\xd8" * 3, ["starts as UTF-16 text but is not"]),
    ("姓名,类别,区划代码\n".encode() + b"x" * 200_000 + b",a,b\n", ["cannot be read as CSV", "field larger"]),
])
def test_a_file_that_is_no_list_is_one_line_and_exit_2(api, tmp_path: Path, content: bytes, words) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(content)
    one_line(*aixin(tmp_path, "import", "children", str(path)), 2, *words)


def test_a_workbook_damaged_after_its_header_stops_the_import_in_one_line(api, tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(damaged_after(workbook(400), 0.6))
    job = prepare(KINDS["children"], path, NATIONAL)  # the header and the first rows are sound
    assert job.layout.line == 1
    one_line(*aixin(tmp_path, "import", "children", str(path)), 2, "cannot be read, the workbook is damaged",
             "registers none of them twice")


def test_a_guardian_name_the_contract_refuses_is_a_bad_row_not_a_crash(tmp_path: Path) -> None:
    listed = write_csv(tmp_path / "list.csv", [child_row(监护人="\x1b[2J李奶奶")])
    job = prepare(KINDS["children"], listed, NATIONAL)
    [(line, cells)] = list(job.rows)
    [problem] = job.parser.parse(line, cells)
    assert (problem.column, problem.reason) == (
        "监护人", "Value error, control character U+001B at character 0 is not allowed here")


def test_a_limit_out_of_range_is_one_line_before_any_request(api, tmp_path: Path) -> None:
    api.answer = failing  # never reached
    one_line(*aixin(tmp_path, "children", "440105", "--limit", "0"), 2, "--limit", "from 1 to 10,000; 0 is not")
    one_line(*aixin(tmp_path, "children", "440105", "--offset", "-1"), 2, "--offset")
    one_line(*aixin(tmp_path, "compliance", "44", "--month", "2026-05", "--limit", "0"), 2, "--limit")


def test_an_api_that_answers_500_is_one_line_and_exit_1(api, tmp_path: Path) -> None:
    api.answer = failing
    one_line(*aixin(tmp_path, "children", "440105"), 1, "Internal Server Error")
    one_line(*aixin(tmp_path, "doctor"), 1, "Internal Server Error")
    one_line(*aixin(tmp_path, "match", "approve", "P1"), 1, "internal", "Internal Server Error")
    listed = write_csv(tmp_path / "list.csv", [child_row()])
    one_line(*aixin(tmp_path, "import", "children", str(listed)), 1, "the platform failed on the rows of lines 2-2")
    api.answer = lambda *_: (500, {"code": "internal", "message": "the API failed on this request (KeyError); "
                                   "the operator finds the cause in its log", "details": [], "detail": "x"})
    one_line(*aixin(tmp_path, "children", "440105"), 1, "the API failed on this request (KeyError)")
    api.answer = lambda *_: (502, "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body>\n</html>\n")
    one_line(*aixin(tmp_path, "children", "440105"), 1, "502 Bad Gateway")
