-- wrk script: every request signs as a new organization (unique name and email).
local csrf = os.getenv("BENCH_CSRF")
local started = os.getenv("BENCH_STARTED")
local revision = os.getenv("BENCH_REVISION")
local prefix = os.getenv("BENCH_PREFIX") or "a"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0

request = function()
  counter = counter + 1
  local body = string.format(
    "csrf_token=%s&started=%s&revision=%s&kind=organization&organization=Bench+Org+%s+%d+%d&website=&city=Springfield" ..
    "&size=local&parent_organization=&contact_name=Pat+Doe&contact_title=Director&email=bench%s%d-%d%%40example.org" ..
    "&phone=&authorized=on&comment=&nickname=",
    csrf, started, revision, prefix, thread_id, counter, prefix, thread_id, counter)
  return wrk.format("POST", nil, nil, body)
end
