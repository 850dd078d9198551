"""BNNK programme activities (prevention, community empowerment, early detection), enforcement
summaries, and village vulnerability (kawasan rawan narkoba) with Desa Bersinar designation."""
