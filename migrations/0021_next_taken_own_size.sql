-- slices_next_taken (0010) compared the other slices' memory slices with
-- `int4range(first, first + size)`, but in a SQL function a column name wins over a parameter
-- of the same name: `size` was each other slice's `o.size`, not the slice's own. A slice next
-- to a larger one (1g at memory slice 2, 4g at 4..8) saw the larger one as overlapping it:
-- releasing it tried to close its window at that slice's start, which could be its own start
-- (an empty window, refused by slices_window_nonempty: the release answered 500 under load),
-- or ended its teardown window too early (letting a later window onto memory slices still
-- being torn down), and extensions were refused up to the wrong booking.
-- The same function, its parameters named by position.
CREATE OR REPLACE FUNCTION slices_next_taken(gpu uuid, first integer, size integer, own uuid,
                                             after timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(min(lower(o.during)), 'infinity')
    FROM slices o
    WHERE o.gpu_id = $1 AND o.released_at IS NULL AND o.id <> $4
        AND int4range(o.start, o.start + o.size) && int4range($2, $2 + $3)
        AND lower(o.during) >= $5
$$;
