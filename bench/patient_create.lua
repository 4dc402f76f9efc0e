-- wrk: POST /api/v1/patients with names that do not repeat (so no duplicate warning), in the
-- caller's facility. Each thread numbers its own requests.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
wrk.headers["Content-Type"] = "application/json"
local given = { "An", "Bình", "Chi", "Dũng", "Hoa", "Lan", "Minh", "Thảo" }
local n = 0
local salt = tostring(math.random(100000, 999999))
request = function()
  n = n + 1
  local body = string.format('{"full_name":"Tải Thử %s %s %d","birth_year":%d,"sex":"%s"}',
    given[(n % #given) + 1], salt, n, 1940 + (n % 80), (n % 2 == 0) and "female" or "male")
  return wrk.format("POST", "/api/v1/patients", nil, body)
end
