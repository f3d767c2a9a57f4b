-- wrk script: every request reads a random organization's page of the book.
-- BOOK_IDS names a file of organization ids (one a line), BOOK_PATH the page's path up to
-- the id (/app/book/book/organizations/).
local ids = {}
for line in io.lines(os.getenv("BOOK_IDS")) do
  ids[#ids + 1] = line
end
local path = os.getenv("BOOK_PATH")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

request = function()
  return wrk.format("GET", path .. ids[math.random(#ids)])
end
