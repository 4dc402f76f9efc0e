-- wrk: authenticated GET /api/v1/me; the token comes from the environment (bench/run.sh logs in first).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
