-- wrk: patient search in the caller's registry: folded name prefixes (with and without
-- diacritics) and an exact CCCD, in turn. BENCH_CCCD is a CCCD of that registry.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
local queries = {
  "q=nguyen%20van", "q=dang%20thi", "q=Nguy%E1%BB%85n%20Th%E1%BB%8B%20Lan", "q=tran%20thi%20hoa",
  "q=giang%20seo", "q=hung", "cccd=" .. os.getenv("BENCH_CCCD"),
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/patients?limit=20&" .. queries[(i % #queries) + 1])
end
