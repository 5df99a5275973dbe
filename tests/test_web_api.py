"""The web chat's programmatic API through gradio_client, against a real server subprocess."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client

from ingest.loader import load_document
from tests.web_server import Server, web_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with web_server(tmp_path_factory.mktemp("web-api")) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Client:
    return Client(server.url, verbose=False)


def assert_verified(answer: dict, data_dir: Path) -> None:
    """Every marker has a citation whose quote is the source text at its offsets."""
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert markers == {c["marker"] for c in answer["citations"]}
    for c in answer["citations"]:
        (path,) = [p for p in data_dir.iterdir() if p.stem == c["doc"]]
        assert load_document(path).text[c["start"] : c["end"]] == c["quote"]
        assert c["quote"] in c["text"]


def test_only_ask_is_public(client: Client) -> None:
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == ["/ask"]


def test_ask_returns_a_verified_answer_with_exact_quotes(client: Client, server: Server) -> None:
    answer = client.predict("By what year will broadband cover every village?", api_name="/ask")
    assert not answer["refused"] and "2020" in answer["answer"]
    assert answer["backend"].startswith("local:")
    assert_verified(answer, server.data_dir)


def test_follow_up_uses_the_history(client: Client, server: Server) -> None:
    first = client.predict("What is the Internet Plus action plan?", api_name="/ask")
    history = [{k: first[k] for k in ("question", "answer", "standalone_question")}]
    follow = client.predict("What else does it support?", 3, history, api_name="/ask")
    assert follow["standalone_question"] != follow["question"]
    assert_verified(follow, server.data_dir)


def test_refusal_names_the_closest_passage(client: Client) -> None:
    answer = client.predict("Which city hosted the conference?", api_name="/ask")
    assert answer["refused"] and answer["citations"] == [] and answer["closest"]["quote"]


def test_bad_question_is_a_clear_error(client: Client) -> None:
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", api_name="/ask")


def test_a_question_can_be_limited_to_documents(client: Client, server: Server) -> None:
    question = "By what year will broadband cover every village?"
    (speech,) = {p.stem for p in server.data_dir.iterdir()}
    within = client.predict(question, 0, [], [speech], api_name="/ask")
    assert not within["refused"] and all(c["doc"] == speech for c in within["citations"])
    assert_verified(within, server.data_dir)
    elsewhere = client.predict(question, 0, [], ["no-such-document"], api_name="/ask")
    assert elsewhere["refused"] and not elsewhere["citations"]  # nothing to search in that scope
