-- wrk: authenticated GET /fhir/Patient/:id over random patients of the caller's registry
-- (BENCH_FIRST_ID..BENCH_LAST_ID). Every read is audited, as the REST read is. bench/fhir.sh.
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local last = tonumber(os.getenv("BENCH_LAST_ID"))
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
wrk.headers["Accept"] = "application/fhir+json"
request = function()
  return wrk.format("GET", "/fhir/Patient/" .. math.random(first, last))
end
