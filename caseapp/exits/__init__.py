"""After an exit: the refund ledger of months paid but not owed, and the participants
whose desil rose above the cut-off (menu category "Membership")."""
