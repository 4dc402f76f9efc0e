-- wrk: GET /fhir/Patient?family=…&_count=10 in the caller's registry, the peer's own list of family
-- names in turn (../shared/peer-fhir/wrk/search.lua: diacritics in some, folded in others), so
-- both servers answer the same searches. bench/fhir.sh.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YTEXA_TOKEN")
wrk.headers["Accept"] = "application/fhir+json"
local fams = {"Nguy%E1%BB%85n", "tran", "Ph%E1%BA%A1m", "le", "Ho%C3%A0ng", "%C4%90%E1%BA%B7ng", "vo", "Hu%E1%BB%B3nh"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/fhir/Patient?family=" .. fams[(i % #fams) + 1] .. "&_count=10")
end
