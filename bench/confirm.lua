-- wrk script: every request confirms a different pending signature from its link
-- (tokens 'tok' and 40 digits: thread t uses t * 1,000,000 + 1, 2, 3, ...).
local csrf = os.getenv("BENCH_CSRF")
local revision = os.getenv("BENCH_REVISION")
local wording = os.getenv("BENCH_WORDING")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0

request = function()
  counter = counter + 1
  local token = string.format("tok%040d", thread_id * 1000000 + counter)
  return wrk.format("POST", "/bench/confirm/signature/" .. token .. "/confirm", nil,
    "csrf_token=" .. csrf .. "&revision=" .. revision .. "&wording=" .. wording)
end
