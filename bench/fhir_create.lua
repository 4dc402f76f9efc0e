-- wrk: POST /fhir/Patient, the peer's body (../shared/peer-fhir/wrk/create.lua) but for names that
-- never repeat across runs (a repeated name and birth year is a likely duplicate, 409) and no
-- CCCD (one CCCD a facility). bench/fhir.sh.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
wrk.headers["Content-Type"] = "application/fhir+json"
local given = { "An", "Bình", "Chi", "Dũng", "Hoa", "Lan", "Minh", "Thảo" }
local n = 0
local f = io.open("/dev/urandom", "rb"); local b = f:read(6); f:close()
local salt = string.gsub(b, ".", function(c) return string.format("%02x", string.byte(c)) end)
request = function()
  n = n + 1
  local body = string.format('{"resourceType":"Patient","name":[{"use":"official","family":"Tải",' ..
    '"given":["Thử","%s","%s","%d"]}],"telecom":[{"system":"phone","value":"0912345678"}],' ..
    '"gender":"%s","birthDate":"%d-05-01","address":[{"line":["12 Nguyễn Huệ"]}]}',
    given[(n % #given) + 1], salt, n, (n % 2 == 0) and "female" or "male", 1940 + (n % 80))
  return wrk.format("POST", "/fhir/Patient", nil, body)
end
