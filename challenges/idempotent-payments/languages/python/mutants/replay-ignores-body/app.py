"""Payments that clients may send more than once, charged exactly once;
README.md has the contract.

Mutant: replays the first answer even when the key comes with another payment.
"""
import json
import os
import re
import threading

from flask import Flask, Response, jsonify, request

app = Flask(__name__)

KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
CURRENCIES = {"EUR", "USD", "GBP"}

# One lock makes checking a key and charging one step.
lock = threading.Lock()
payments = {}
answers = {}  # key -> (request, status, body)
balances = {}  # customer -> {"charged": n, "payments": n}
last_id = 0


def error(status, message):
    """The API's error body: {"error": "..."}."""
    return jsonify({"error": message}), status


def decode(body):
    """Checks a payment request; returns (request, problem)."""
    if not isinstance(body, dict):
        return None, "send a JSON body with customer, amount (whole cents) and currency"
    customer, amount, currency = body.get("customer"), body.get("amount"), body.get("currency")
    if not isinstance(customer, str) or not customer:
        return None, "customer is required"
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return None, "amount must be a whole number of cents, more than 0"
    if currency not in CURRENCIES:
        return None, "currency must be one of EUR, USD, GBP"
    return (customer, amount, currency), None


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.post("/payments")
def pay():
    global last_id
    key = request.headers.get("Idempotency-Key", "")
    if not KEY.fullmatch(key):
        return error(400, "send an Idempotency-Key header of 1 to 64 letters, digits, - or _")
    req, problem = decode(request.get_json(silent=True))
    if problem:
        return error(400, problem)
    with lock:
        if key in answers:
            first, status, body = answers[key]
            if False:
                return error(422, "this Idempotency-Key was used for another payment; use a new key")
            return Response(body, status=status, mimetype="application/json",
                            headers={"Idempotent-Replayed": "true"})
        last_id += 1
        customer, amount, currency = req
        payment = {"id": "pay_%d" % last_id, "customer": customer, "amount": amount,
                   "currency": currency, "status": "succeeded"}
        payments[payment["id"]] = payment
        b = balances.setdefault(customer, {"charged": 0, "payments": 0})
        b["charged"] += amount
        b["payments"] += 1
        body = json.dumps(payment)
        answers[key] = (req, 201, body)
    return Response(body, status=201, mimetype="application/json")


@app.get("/payments/<payment_id>")
def read(payment_id):
    with lock:
        payment = payments.get(payment_id)
    if payment is None:
        return error(404, "no such payment")
    return jsonify(payment)


@app.get("/customers/<customer>/balance")
def balance(customer):
    with lock:
        b = dict(balances.get(customer, {"charged": 0, "payments": 0}))
    return jsonify({"customer": customer, **b})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
