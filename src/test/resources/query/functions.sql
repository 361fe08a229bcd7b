-- A script as a DBA writes it; this comment has a ; in it
/* a nested /* block comment; with semicolons; */ still the comment; */
create table "semi;colon" (id int primary key, note text);

create function add_one(i int) returns int language plpgsql as $$
begin
  -- a ; in a comment in the body
  return i + 1;
end;
$$;

create or replace function describe(n int) returns text language plpgsql as $body$
declare
  r text := 'n;';  -- a quoted ; in a dollar-quoted body
begin
  if n < 0 then
    r := r || E'neg\'ative;';
  else
    r := r || $$pos;itive$$;
  end if;
  return r;
end;
$body$;

do $do$
begin
  insert into "semi;colon" values (1, E'it\'s; fine');
  insert into "semi;colon" values (2, 'a '';'' b');
end
$do$;;

insert into "semi;colon" values (3, U&'d\0061t;a');
insert into "semi;colon" values (4, E'back\\slash; and \'quote\';');
insert into "semi;colon" values (5, E'it\'s; top level');

create function doubled(a int) returns int language sql
begin atomic
  select case when a is null then 0 else a * 2 end;
end;

select count(*) /* ; */ from "semi;colon" -- the last one has no ;
