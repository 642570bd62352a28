"""The seed plan's stack for one route, as a comparison point for bench/api/run_api_bench.sh:
FastAPI + uvicorn + PyJWT + SQLAlchemy on SQLite, serving GET /api/bots/{id}/positions from
the same database file aitrader serve writes (its positions and bots tables), with the same
HS256 bearer-token check and the same ownership rule. Debian packages only:
python3-fastapi python3-uvicorn python3-sqlalchemy python3-jwt.

    AITRADER_JWT_SECRET=... DB=/path/aitrader.db python3 fastapi_positions.py PORT
"""
import json
import os
import sys

import jwt
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy import create_engine, text

SECRET = os.environ["AITRADER_JWT_SECRET"]
engine = create_engine("sqlite:///" + os.environ["DB"], connect_args={"check_same_thread": False})
app = FastAPI()
SCALE = 10**9


def decimal(raw):
    sign = "-" if raw < 0 else ""
    raw = abs(raw)
    whole, frac = divmod(raw, SCALE)
    s = str(whole)
    if frac:
        s += "." + str(frac).rjust(9, "0").rstrip("0")
    return sign + s


@app.get("/api/bots/{bot_id}/positions")
def positions(bot_id: int, authorization: str = Header(default="")):
    if not authorization.lower().startswith("bearer "):
        raise HTTPException(status_code=401, detail="unauthorized")
    try:
        claims = jwt.decode(authorization[7:], SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub"]})
        user_id = int(claims["sub"])
    except Exception:
        raise HTTPException(status_code=401, detail="invalid_token")
    with engine.connect() as c:
        bot = c.execute(text("SELECT id FROM bots WHERE id = :b AND user_id = :u AND status <> 'deleted'"),
                        {"b": bot_id, "u": user_id}).first()
        if bot is None:
            raise HTTPException(status_code=404, detail="bot not found")
        rows = c.execute(text("SELECT symbol, side, quantity, entry_price, leverage, exit_plan_json, opened_at "
                              "FROM positions WHERE bot_id = :b AND closed_at IS NULL"), {"b": bot_id}).all()
    items = []
    for r in rows:
        plan = json.loads(r.exit_plan_json or "{}")
        items.append({"symbol": r.symbol, "side": r.side, "quantity": decimal(r.quantity),
                      "entry_price": decimal(r.entry_price), "leverage": r.leverage,
                      "stop_loss": plan.get("stop_loss"), "take_profit": plan.get("profit_target"),
                      "invalidation": plan.get("invalidation_condition"), "opened_at": r.opened_at})
    return {"items": items, "next_cursor": None}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
