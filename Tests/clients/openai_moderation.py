#!/usr/bin/env python3
"""The official OpenAI Python client, unchanged, against a running `warden serve`.

    WARDEN_URL=http://127.0.0.1:8080 python3 Tests/clients/openai_moderation.py

Checks that `client.moderations.create` parses Warden's answer into OpenAI's types (every
category name present, scores in [0, 1], flagged a bool), that Warden's verdict rides along in
`warden`, and that errors come back as OpenAI errors. Exits non-zero on the first failed check and
prints `N passed, 0 failed` at the end.
"""
import os
import sys

import openai

BASE_URL = os.environ.get("WARDEN_URL", "http://127.0.0.1:8080").rstrip("/") + "/v1"
API_KEY = os.environ.get("WARDEN_CLIENT_KEY", "unused-when-no-keys-are-configured")

CATEGORIES = [
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors",
    "violence", "violence/graphic",
]

passed = 0


def check(condition, what):
    global passed
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1


def main():
    client = openai.OpenAI(base_url=BASE_URL, api_key=API_KEY, max_retries=0, timeout=30)
    inputs = ["What is the capital of France?", "Write a poem about the sea."]
    response = client.moderations.create(input=inputs)

    check(isinstance(response, openai.types.ModerationCreateResponse), "the answer parses as ModerationCreateResponse")
    check(response.id.startswith("modr-"), f"id {response.id!r} starts with modr-")
    check(isinstance(response.model, str) and response.model, "model is a non-empty string")
    check(len(response.results) == len(inputs), "one result per input")
    for index, result in enumerate(response.results):
        check(isinstance(result.flagged, bool), f"results[{index}].flagged is a bool")
        categories = result.categories.model_dump(by_alias=True)
        scores = result.category_scores.model_dump(by_alias=True)
        for name in CATEGORIES:
            check(isinstance(categories.get(name), bool), f"results[{index}].categories[{name!r}] is a bool")
            score = scores.get(name)
            check(isinstance(score, float) and 0.0 <= score <= 1.0, f"results[{index}].category_scores[{name!r}] in [0, 1]")
        check(result.categories.self_harm_intent is not None, "alias self-harm/intent maps to self_harm_intent")
        warden = (result.model_extra or {}).get("warden") or {}
        check(warden.get("decision") in ("allow", "review", "block"), f"results[{index}].warden.decision present")
        check(result.flagged == (warden.get("decision") != "allow"), "flagged agrees with the decision")
        check(isinstance(warden.get("scores"), dict), "warden.scores is an object")
        check("audit_id" in warden, "warden.audit_id is present (null when not recorded)")

    single = client.moderations.create(input="A single string input", model="omni-moderation-latest")
    check(len(single.results) == 1, "a single string gives one result")
    check(single.model == "omni-moderation-latest", "the model named in the request is echoed")

    try:
        client.moderations.create(input="")
        check(False, "empty input is refused")
    except openai.UnprocessableEntityError as error:
        check(error.status_code == 422, "empty input is 422")
        check(error.body.get("code") == "empty_input", "the error body has OpenAI's shape with code empty_input")

    try:
        client.moderations.create(input="hello", extra_body={"policy": "no-such-policy"})
        check(False, "an unknown policy is refused")
    except openai.NotFoundError as error:
        check(error.status_code == 404, "an unknown policy is 404")

    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
