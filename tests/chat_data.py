"""Chat and instruction fixtures in every format curate reads, written as real files.

The support set is the issue's reproduction: 300 conversations that share one long system
prompt and differ in what the user asked, so only a comparison that leaves the system prompt
out sees them as distinct.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SYSTEM_PROMPT = (
    "You are Ada, the support assistant of Northwind Outfitters. Answer politely and briefly, "
    "never promise refunds you cannot give, point customers to the returns page for returns, "
    "to the order tracker for shipping questions and to a human agent for anything about "
    "payments. Do not give legal or medical advice. Always sign off with 'Have a great day!' "
    "and keep every answer under one hundred words, in the language the customer wrote in. "
    "Our store sells outdoor gear: boots, jackets, tents, sleeping bags, stoves, lamps and "
    "climbing equipment. Orders ship from the warehouse in Rotterdam within two working days; "
    "delivery inside the European Union takes three to five working days and elsewhere up to "
    "three weeks. Returns are accepted within thirty days for unused items in their original "
    "packaging, and within two years for defects covered by the guarantee. Exchanges for "
    "another size are free of charge once per order. Gift wrapping costs four euros. Discount "
    "codes cannot be combined and expire at midnight on the date printed on them. If a parcel "
    "is marked as delivered but has not arrived, ask the customer to check with neighbours and "
    "wait one working day before opening a courier investigation. Never ask for full card "
    "numbers, passwords or one-time codes, and never share another customer's order details. "
    "When the customer is upset, acknowledge the problem first, then offer the next step."
)
_PRODUCTS = (
    "hiking boots", "rain jacket", "tent", "sleeping bag", "headlamp", "water filter",
    "trekking poles", "backpack", "camp stove", "fleece", "wool socks", "kayak paddle",
    "climbing harness", "bike helmet", "ski goggles",
)  # fmt: skip
_PROBLEMS = (
    "arrived with a torn seam along the left side",
    "has been stuck at the customs office for nine days",
    "was charged twice on my credit card statement",
    "smells strongly of chemicals after unpacking",
    "is missing the carrying bag shown in your catalogue",
    "came in the wrong colour compared with my order",
    "broke after a single weekend of light use",
    "shows as delivered although nothing reached my door",
    "needs a spare part that your website lists as sold out",
    "was cheaper in your store than online yesterday",
    "has instructions only in German and Swedish",
    "leaks water through the bottom during heavy rain",
    "got a discount code that the checkout page rejects",
    "would make a gift, so I need it wrapped and without a receipt",
    "must be exchanged for a smaller size before my trip",
    "squeaks loudly with every single step or movement",
    "triggered an allergy rash on my skin within hours",
    "was sent to my old address despite the update",
    "does not match the warranty terms printed on the box",
    "fell apart when my daughter opened the package",
)
_CLOSINGS = (
    "What can you do about it?", "Could someone call me back tomorrow morning?",
    "Is a refund possible in this case?", "Please advise on the next steps.",
    "How quickly can this be fixed?", "I would appreciate an answer by Friday.",
    "Do I have to ship it back at my own cost?", "Can I keep it while you investigate?",
    "Who should I contact about this problem?", "Will I receive store credit instead?",
    "Should I file a complaint with the courier?", "Thanks in advance for your patience.",
    "Is there a form I need to fill out?", "Can you confirm you received this message?",
    "I am honestly quite disappointed so far.", "What information do you need from me?",
    "Is this covered by the two-year guarantee?", "My order number is on the invoice.",
    "Could you escalate this to a supervisor?", "Would a photo of the damage help?",
    "This is my second message about it.", "I hope we can sort this out quickly.",
    "Let me know if a replacement ships this week.",
)  # fmt: skip


def question(n: int) -> str:
    """The ``n``-th of 300 questions; any two differ in at least two of their three parts."""
    product, problem = n % len(_PRODUCTS), (n // len(_PRODUCTS)) % len(_PROBLEMS)
    closing = (product + 2 * problem) % len(_CLOSINGS)
    return f"Hello, the {_PRODUCTS[product]} I ordered {_PROBLEMS[problem]}. {_CLOSINGS[closing]}"


def support_rows(count: int = 300) -> list[dict[str, Any]]:
    """``count`` conversations (300 distinct questions, then repeated), one system prompt."""
    rows = []
    for n in range(count):
        product = _PRODUCTS[n % len(_PRODUCTS)]
        rows.append(
            {
                "id": f"c{n:03d}",
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": question(n)},
                    {
                        "role": "assistant",
                        "content": f"Thanks for asking about the {product}! Our team will help "
                        "you with that. Have a great day!",
                    },
                ],
            }
        )
    return rows


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def as_sharegpt(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {"system": "system", "user": "human", "assistant": "gpt"}
    return [
        {
            "id": r["id"],
            "conversations": [
                {"from": names[t["role"]], "value": t["content"]} for t in r["messages"]
            ],
        }
        for r in rows
    ]


def as_alpaca(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "instruction": "Answer the customer's question.",
            "input": r["messages"][1]["content"],
            "output": r["messages"][2]["content"],
        }
        for r in rows
    ]


def as_prompt_completion(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "prompt": r["messages"][1]["content"],
            "completion": r["messages"][2]["content"],
        }
        for r in rows
    ]


FORMATS = {
    "messages": lambda rows: list(rows),
    "sharegpt": as_sharegpt,
    "alpaca": as_alpaca,
    "prompt_completion": as_prompt_completion,
}
