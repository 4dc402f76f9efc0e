-- wrk: POST /api/v1/auth/login with a demo account (the right password: failed logins are rate limited).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"demo.doctor","password":"demo-password"}'
