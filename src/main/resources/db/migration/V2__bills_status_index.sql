-- BillRepository.recent filters by status and orders by introduction date.
create index if not exists bills_status_introduced_on on bills (status, introduced_on desc, id desc);
