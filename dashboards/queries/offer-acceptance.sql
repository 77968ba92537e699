-- offer-acceptance: applications whose first (not deleted) offer was made in [from, to):
-- offers_extended, accepted (the application is hired), declined (an offer was declined and
-- the application is not hired) and accepted/offers_extended. One row, zeros when empty.
-- Deleted applications and prospects are not counted.
SELECT
    toUInt64(count()) AS offers_extended,
    toUInt64(countIf(status = 'hired')) AS accepted,
    toUInt64(countIf(status != 'hired' AND offer_declined_at IS NOT NULL)) AS declined,
    if(count() = 0, 0, round(countIf(status = 'hired') / count(), 4)) AS acceptance_rate
FROM {db}.application_state FINAL
WHERE status != 'deleted'
    AND prospect = 0
    AND has_offer = 1
    AND first_offer_at >= @from AND first_offer_at < @to
    AND dims_key IN
    (
        SELECT dims_key
        FROM {db}.application_dims
        WHERE (@job_id = '' OR job_id = @job_id)
            AND (@department = '' OR department = @department)
            AND (@source_channel = '' OR source_channel = @source_channel)
    )
