"""Payments that clients may send more than once, charged exactly once;
README.md has the contract.

This starter answers the health check; every other route answers 501
until you build it. You may use the standard library and Flask (or
FastAPI with uvicorn), which the grader has offline.
"""
import os

from flask import Flask, jsonify, request

app = Flask(__name__)


def todo():
    return jsonify({"error": request.method + " " + request.path + " is not built yet"}), 501


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


# TODO: check the Idempotency-Key and the body, then charge once per key:
# a repeated key with the same body replays the first answer.
@app.post("/payments")
def pay():
    return todo()


# TODO: answer the payment, or 404.
@app.get("/payments/<payment_id>")
def read(payment_id):
    return todo()


# TODO: answer what the customer was charged and how many payments.
@app.get("/customers/<customer>/balance")
def balance(customer):
    return todo()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")), threaded=True)
