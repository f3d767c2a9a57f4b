-- wrk script: every request posts one list reply to POST /inbound/email, as a relay or a
-- hosted inbound service would: a fresh Message-ID each time, from one of the 1,000
-- members whose reply keys bench/list_seed.sql wrote (md5('list-reply-key-' || i)).
-- INBOUND_KEYS names a file of "i key" lines; INBOUND_SECRET the shared secret.
local keys = {}
for line in io.lines(os.getenv("INBOUND_KEYS")) do
  local i, key = line:match("(%d+) (%x+)")
  keys[#keys + 1] = { i = i, key = key }
end
local secret = os.getenv("INBOUND_SECRET")
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

request = function()
  counter = counter + 1
  local k = keys[math.random(#keys)]
  local body = "From: Member Person " .. k.i .. " <member" .. k.i .. "@list.example>\r\n"
    .. "To: list+" .. k.key .. "@undersigned.localhost\r\n"
    .. "Subject: Re: Meeting notes #2000\r\n"
    .. "Message-ID: <http-" .. (thread_id or 0) .. "-" .. counter .. "-" .. math.random(1e9) .. "@list.example>\r\n"
    .. "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n"
    .. "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    .. "Count us in for Saturday.\r\n\r\nOn Monday, someone wrote:\r\n> earlier text\r\n"
  return wrk.format("POST", "/inbound/email", {
    ["Authorization"] = "Bearer " .. secret,
    ["Content-Type"] = "message/rfc822",
  }, body)
end
