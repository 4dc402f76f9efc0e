-- wrk: authenticated GET /api/v1/patients/:id over random patients of the caller's registry
-- (BENCH_FIRST_ID..BENCH_LAST_ID, printed by the generator). Every read is audited.
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local last = tonumber(os.getenv("BENCH_LAST_ID"))
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
request = function()
  return wrk.format("GET", "/api/v1/patients/" .. math.random(first, last))
end
