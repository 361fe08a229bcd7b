-- The demo schema: the seed's bills, as the demo workload and BillRepository use them.
-- "if not exists": databases that had the table from PgPulse's earlier DDL are baselined at 0, then this is a no-op.
create table if not exists bills (
    id bigint generated always as identity primary key,
    title text not null check (length(title) between 1 and 500),
    status text not null check (status in ('introduced', 'committee', 'passed', 'failed', 'enacted')),
    introduced_on date not null
);
