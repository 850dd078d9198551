"""The public satisfaction survey (IKM, PermenPAN-RB 14/2017): service units and responses."""
